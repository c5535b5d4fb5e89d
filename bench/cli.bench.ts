// `npm run bench:cli`: wall time of short `pyramid-nas` commands, process start to exit, as a user runs them
// (`node bin/pyramid-nas.mjs …`, which runs the compiled CLI in dist/; the npm script builds it first).
// Prints the median of RUNS runs per command, next to a bare `node -e 0` for the machine's own start-up cost.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

import { staleReason } from '../bin/dist-freshness.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const GRAPH = 'search-spaces/zoo/fpn.graph.json';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function measure(label: string, args: string[]): void {
  const ms: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    if (r > 0) ms.push(elapsed); // the first run warms the file cache
  }
  const f = (x: number) => x.toFixed(0);
  console.log(
    `${label.padEnd(34)} median ${f(median(ms))} ms  (min ${f(Math.min(...ms))}, max ${f(Math.max(...ms))}, ${RUNS} runs)`,
  );
}

function checkBuild(when: string): void {
  // A stale build: the bin would run the sources through tsx, and this would time that.
  const stale = staleReason(ROOT);
  if (stale)
    throw new Error(
      `${when}, ${stale}: run \`npm run build\` (npm run bench:cli does) and leave the sources alone while it runs`,
    );
}

checkBuild('before the runs');
const stamp = statSync('dist/.build-stamp').mtimeMs;
console.log(`node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`);
measure('node -e 0', ['-e', '0']);
measure(`pyramid-nas validate ${GRAPH.split('/').pop()}`, ['bin/pyramid-nas.mjs', 'validate', GRAPH]);
measure(`pyramid-nas hash ${GRAPH.split('/').pop()}`, ['bin/pyramid-nas.mjs', 'hash', GRAPH]);
measure('pyramid-nas --help', ['bin/pyramid-nas.mjs', '--help']);
// A source saved or a rebuild during the runs would have timed the tsx fallback for some of them.
checkBuild('after the runs');
if (statSync('dist/.build-stamp').mtimeMs !== stamp)
  throw new Error('dist/ was rebuilt during the runs: the figures above are not all of one build');
