// `pyramid-nas render FILE --format svg|dot|mermaid [-o OUT]`: a picture of a graph, on stdout or written
// atomically (temp file + rename) to OUT. Exit 2 if the file is not a valid graph.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { formatIssue, parseGraphFile, renderDot, renderMermaid, renderSvg } from '../../graph/index.js';

const RENDERERS = { svg: renderSvg, dot: renderDot, mermaid: renderMermaid } as const;
type Format = keyof typeof RENDERERS;

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('render')
    .description('draw a pyramid-graph/1 file as SVG, Graphviz DOT or Mermaid')
    .argument('<file>', 'graph JSON file')
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(RENDERERS)).default('svg'))
    .option('-o, --out <path>', 'write here (atomically) instead of stdout')
    .action(async (file: string, opts: { format: Format; out?: string }) => {
      const r = await parseGraphFile(file);
      if (!r.ok) {
        for (const e of r.errors) console.error(`${file}: ${formatIssue(e)} [${e.code}]`);
        process.exitCode = 2;
        return;
      }
      const text = RENDERERS[opts.format](r.graph);
      if (!opts.out) {
        process.stdout.write(text);
        return;
      }
      try {
        writeAtomic(opts.out, text);
      } catch (e) {
        console.error(`${opts.out}: cannot write: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      console.error(`wrote ${opts.out}`);
    });
}
