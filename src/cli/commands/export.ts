// `pyramid-nas export results/<campaign> --top K --format json|svg|dot|mermaid|pytorch --out DIR`: the K
// best graphs of a campaign (by reward), with provenance, in the chosen format (pytorch: docs/export.md).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { writeFileAtomic } from '../../campaign/atomic.js';
import { readCampaignDir } from '../../campaign/dir.js';
import { campaignSpace } from '../../campaign/factory.js';
import { refuseSystemPath } from '../../campaign/output-folder.js';
import { graphWithProvenance } from '../../campaign/outputs.js';
import { ranked } from '../../campaign/records.js';
import { pythonModuleName, writePytorchExport } from '../../export/pytorch/write.js';
import { parseGraphText, renderDot, renderMermaid, renderSvg } from '../../graph/index.js';
import type { PyramidGraph } from '../../graph/types.js';
import { exitCodeOf, PyramidNasError } from '../../util/errors.js';
import { INPUT_LIMITS, readTextBounded } from '../../util/read-bounded.js';

const FORMATS = ['json', 'svg', 'dot', 'mermaid', 'pytorch'] as const;
type Format = (typeof FORMATS)[number];
const EXT: Record<Format, string> = { json: 'graph.json', svg: 'svg', dot: 'dot', mermaid: 'mmd', pytorch: 'py' };

/** A trial's graph file that cannot be read. */
class ExportError extends PyramidNasError {
  constructor(message: string) {
    super('BAD_GRAPH_FILE', message, { usage: true });
    this.name = 'ExportError';
  }
}

/** A trial's graph file, size-capped like any graph file (it may have been replaced by hand). */
function readGraphText(file: string): string {
  try {
    return readTextBounded(file, INPUT_LIMITS.graph, 'graph file');
  } catch (err) {
    throw new ExportError((err as Error).message);
  }
}

export function exportTop(dir: string, top: number, format: Format, out: string): string[] {
  refuseSystemPath(out);
  const d = readCampaignDir(dir);
  const best = ranked(d.records).slice(0, top);
  if (best.length === 0) throw new ExportError(`${dir}: no completed trial to export yet`);
  let space: ReturnType<typeof campaignSpace> | undefined;
  const written: string[] = [];
  best.forEach((r, rank) => {
    const file = join(dir, 'graphs', `${r.trialId}.graph.json`);
    let graph: PyramidGraph;
    if (existsSync(file)) {
      const parsed = parseGraphText(readGraphText(file));
      if (!parsed.ok)
        throw new ExportError(`${file}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
      // Provenance is re-derived from the journal: a file written by an older version carried the proxy's
      // MACs/params unlabelled on this full-width graph; now they come out labelled (costs.ts).
      graph = graphWithProvenance(d.config, { ...r, graph: parsed.graph });
    } else {
      // The graph files are a convenience; the journal's decisions are the record.
      space ??= campaignSpace(d.config);
      graph = graphWithProvenance(d.config, { ...r, graph: space.decode(r.decisions) });
    }
    const stem = `${String(rank + 1).padStart(2, '0')}-${r.trialId}`;
    if (format === 'pytorch') {
      // An importable module name (mmdetection's custom_imports names it), with its companions.
      const generatedBy = `pyramid-nas export ${dir} --top ${top} --format pytorch (rank ${rank + 1})`;
      written.push(...writePytorchExport(graph, join(out, `${pythonModuleName(stem)}.py`), { generatedBy }));
      return;
    }
    const text =
      format === 'json'
        ? JSON.stringify(graph, null, 2) + '\n'
        : format === 'svg'
          ? renderSvg(graph)
          : format === 'dot'
            ? renderDot(graph)
            : renderMermaid(graph);
    const target = join(out, `${stem}.${EXT[format]}`);
    writeFileAtomic(target, text);
    written.push(target);
  });
  return written;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
}
function format(v: string): Format {
  if (!(FORMATS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}, got "${v}"`);
  return v as Format;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write the K best graphs of a campaign as JSON, SVG, DOT, Mermaid or PyTorch code')
    .argument('<dir>', 'campaign output folder (results/<campaign>)')
    .option('--top <k>', 'how many graphs', positiveInt, 1)
    .option('--format <fmt>', FORMATS.join('|'), format, 'json' as Format)
    .requiredOption('--out <dir>', 'folder to write into')
    .action((dir: string, o: { top: number; format: Format; out: string }) => {
      try {
        for (const f of exportTop(dir, o.top, o.format, o.out)) process.stdout.write(f + '\n');
      } catch (err) {
        process.stderr.write(`pyramid-nas export: ${(err as Error).message}\n`);
        process.exit(exitCodeOf(err));
      }
    });
}
