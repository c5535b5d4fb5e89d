// `pyramid-nas render FILE --format svg|dot|mermaid [-o OUT]`: a picture of a graph, on stdout or written
// atomically (temp file, flush, rename; never under /proc, /sys or /dev) to OUT. Exit 2 if the file is not
// a valid graph or OUT cannot be written.
import { type Command, Option } from 'commander';

import { writeFileAtomic } from '../../campaign/atomic.js';
import { formatIssue, parseGraphFile, renderDot, renderMermaid, renderSvg } from '../../graph/index.js';

const RENDERERS = { svg: renderSvg, dot: renderDot, mermaid: renderMermaid } as const;
type Format = keyof typeof RENDERERS;

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
        writeFileAtomic(opts.out, text);
      } catch (e) {
        // OutputFolderError and OutputWriteError name the file and say why.
        console.error(`pyramid-nas render: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      console.error(`wrote ${opts.out}`);
    });
}
