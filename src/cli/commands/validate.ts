// `pyramid-nas validate FILE…`: checks pyramid-graph/1 files. Exit 0 when all are valid, 2 when any is not.
// Errors read `file: path: message [CODE]`; warnings (dead nodes) are printed but do not fail.
import type { Command } from 'commander';

import { graphHash, type GraphIssue, parseGraphFile } from '../../graph/index.js';

interface FileReport {
  file: string;
  ok: boolean;
  nodes?: number;
  hash?: string;
  errors: GraphIssue[];
  warnings: GraphIssue[];
}

export async function validateFiles(files: string[]): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (const file of files) {
    const r = await parseGraphFile(file);
    reports.push(
      r.ok
        ? { file, ok: true, nodes: r.graph.nodes.length, hash: graphHash(r.graph), errors: [], warnings: r.warnings }
        : { file, ok: false, errors: r.errors, warnings: [] },
    );
  }
  return reports;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check pyramid-graph/1 files (exit 0: all valid, 2: some invalid)')
    .argument('<files...>', 'graph JSON files')
    .option('--json', 'print one JSON report on stdout')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const reports = await validateFiles(files);
      const allOk = reports.every((r) => r.ok);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ok: allOk, files: reports }, null, 2)}\n`);
      } else {
        for (const r of reports) {
          const line = (i: GraphIssue, kind = '') => `${r.file}: ${i.path}: ${kind}${i.message} [${i.code}]`;
          if (r.ok) console.log(`${r.file}: ok (${r.nodes} nodes, hash ${r.hash!.slice(0, 12)})`);
          for (const e of r.errors) console.error(line(e));
          for (const w of r.warnings) console.error(line(w, 'warning: '));
        }
        const bad = reports.filter((r) => !r.ok).length;
        if (bad > 0) console.error(`${bad} of ${reports.length} file(s) invalid`);
      }
      if (!allOk) process.exitCode = 2;
    });
}
