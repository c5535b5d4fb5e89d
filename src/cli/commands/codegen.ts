// `pyramid-nas codegen GRAPH --format pytorch [--out neck.py] [--weights NECK_CHECKPOINT]`: a graph as a
// standalone PyTorch module (docs/export.md), with the mmdetection RetinaNet R-50 config fragment next to
// it and, from a TensorFlow.js neck checkpoint, the weights its loader reads. Exit 2 on bad input.
import { existsSync } from 'node:fs';

import { type Command, Option } from 'commander';

import type { Checkpoint } from '../../detector/checkpoint.js';
import { tfEntriesOfCheckpoint } from '../../export/pytorch/weights.js';
import { pythonModuleName, writePytorchExport } from '../../export/pytorch/write.js';
import { formatIssue, parseGraphFile, resolveGraphSpec } from '../../graph/index.js';
import type { PyramidGraph } from '../../graph/types.js';
import { exitCodeOf, PyramidNasError } from '../../util/errors.js';
import { jsonSyntaxReport } from '../../util/json-text.js';
import { readTextBounded } from '../../util/read-bounded.js';

export const CODEGEN_FORMATS = ['pytorch'] as const;

/** A neck checkpoint: TensorFlow.js weights, base64 inside JSON, so up to a few hundred MB for large necks. */
const CHECKPOINT_LIMIT = 500 * 1024 * 1024;

async function readGraph(spec: string): Promise<PyramidGraph> {
  if (!existsSync(spec)) return resolveGraphSpec(spec);
  const r = await parseGraphFile(spec);
  if (!r.ok) {
    const lines = r.errors.map((e) => `${spec}: ${formatIssue(e)} [${e.code}]`).join('\n');
    throw new PyramidNasError('BAD_GRAPH_FILE', lines, { usage: true, where: { file: spec } });
  }
  return r.graph;
}

function readCheckpoint(file: string): Checkpoint {
  const text = readTextBounded(file, CHECKPOINT_LIMIT, 'neck checkpoint');
  try {
    return JSON.parse(text) as Checkpoint;
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(text, err);
    throw new PyramidNasError('BAD_JSON', `${file}: invalid JSON at ${line}:${column}: ${reason}`, {
      usage: true,
      where: { file, line },
    });
  }
}

export async function codegen(
  spec: string,
  opts: { format: string; out?: string; weights?: string },
): Promise<string[]> {
  const graph = await readGraph(spec);
  const out = opts.out ?? `${pythonModuleName(graph.name)}.py`;
  const weights = opts.weights ? tfEntriesOfCheckpoint(readCheckpoint(opts.weights), opts.weights) : undefined;
  const generatedBy = `pyramid-nas codegen ${spec} --format ${opts.format}${opts.weights ? ` --weights ${opts.weights}` : ''}`;
  return writePytorchExport(graph, out, { weights, generatedBy });
}

export function register(program: Command): void {
  program
    .command('codegen')
    .description('write a graph as a standalone PyTorch module (+ mmdetection config fragment, weights)')
    .argument('<graph>', 'pyramid-graph/1 file or zoo name')
    .addOption(new Option('--format <format>', 'target').choices(CODEGEN_FORMATS).default('pytorch'))
    .option('--out <file.py>', 'module to write (default: <graph name>.py in the current folder)')
    .option('--weights <checkpoint>', 'a pyramid-nas-weights/1 neck checkpoint to convert for the module')
    .action(async (spec: string, opts: { format: string; out?: string; weights?: string }) => {
      try {
        for (const f of await codegen(spec, opts)) process.stdout.write(f + '\n');
      } catch (err) {
        process.stderr.write(`pyramid-nas codegen: ${(err as Error).message}\n`);
        process.exit(exitCodeOf(err));
      }
    });
}
