// `pyramid-nas hash FILE…`: the canonical hash (sha256 of the canonical form) of each graph file; with
// `--canonical`, the canonical graph itself. Exit 2 if a file is not a valid graph.
import type { Command } from 'commander';

import { canonicalize, formatIssue, graphHash, parseGraphFile } from '../../graph/index.js';

export function register(program: Command): void {
  program
    .command('hash')
    .description('print the canonical hash of pyramid-graph/1 files (invariant to node order, ids, dead nodes)')
    .argument('<files...>', 'graph JSON files')
    .option('--canonical', 'print the canonical form (JSON) instead of the hash')
    .action(async (files: string[], opts: { canonical?: boolean }) => {
      for (const file of files) {
        const r = await parseGraphFile(file);
        if (!r.ok) {
          for (const e of r.errors) console.error(`${file}: ${formatIssue(e)} [${e.code}]`);
          process.exitCode = 2;
          continue;
        }
        if (opts.canonical) process.stdout.write(`${JSON.stringify(canonicalize(r.graph), null, 2)}\n`);
        else console.log(files.length > 1 ? `${graphHash(r.graph)}  ${file}` : graphHash(r.graph));
      }
    });
}
