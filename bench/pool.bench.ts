// `npm run bench:pool`: what a process-pool child costs with the real trainer (PYRAMID_NAS_TRAINER=tfjs).
//   - start-up: a fresh child forked as the pool forks it, to its `ready` message (the trainer's modules,
//     TensorFlow.js core among them, loaded; the wasm backend is initialised by the trial, inside its time);
//     the median of --startups children, started one after another;
//   - one trial through a ProcessPool: its wall time, and the child's resident memory after it, as the child
//     reports it to the pool's recycling check (read from the pool's retire notice: maxTrialsPerChild is 1).
// It runs the compiled pool from dist/ (the npm script builds it first), as `search` and `worker` do: a
// child of the sources would also pay for tsx's loader.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { staleReason } from '../bin/dist-freshness.mjs';
import { parseGraphFile } from '../src/graph/parse-file.js';
import { resolveProxyTask } from '../src/trial/proxy-task.js';
import type { TrialJob } from '../src/trial/types.js';
import { childModule } from '../src/util/child-module.js';
import type { RetireInfo } from '../workers/process-pool.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const USAGE =
  'usage: npm run bench:pool -- [--steps N] [--proxy FILE] [--graph FILE] [--startups N]\n' +
  '  --proxy FILE  a proxy task as JSON (default: the default proxy task); --steps overrides its steps\n' +
  '  --graph FILE  the trial graph (default search-spaces/zoo/fpn.graph.json)\n' +
  '  --startups N  children started for the start-up median (default 5)';

function usageError(message: string): never {
  process.stderr.write(`bench:pool: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function int(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    usageError(`--${name}: expected an integer in [${min}, ${max}], got "${text}"`);
  return n;
}

const OPTIONS = {
  steps: { type: 'string' },
  proxy: { type: 'string' },
  graph: { type: 'string' },
  startups: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

let args;
try {
  args = parseArgs({ options: OPTIONS, strict: true }).values;
} catch (err) {
  usageError((err as Error).message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const startups = int('startups', args.startups, 5, 1, 100);
const steps = args.steps === undefined ? undefined : int('steps', args.steps, 0, 1, 1_000_000);
const graphFile = args.graph ?? 'search-spaces/zoo/fpn.graph.json';

function readProxy(file: string | undefined): unknown {
  if (file === undefined) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return usageError(`--proxy ${file}: ${(err as Error).message}`);
  }
}
let proxy;
try {
  const input = readProxy(args.proxy) as Record<string, unknown>;
  proxy = resolveProxyTask(steps === undefined ? input : { ...input, steps });
} catch (err) {
  usageError(`--proxy ${args.proxy ?? '(default)'}: ${(err as Error).message}`);
}
const parsed = await parseGraphFile(graphFile);
if (!parsed.ok) usageError(`--graph ${graphFile}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);

// A stale build: the children would not run the code in the working tree.
const stale = staleReason(ROOT);
if (stale) throw new Error(`${stale}: run \`npm run build\` (npm run bench:pool does)`);

const POOL = pathToFileURL(resolve('dist/workers/process-pool.js')).href;
// The module and node options the compiled pool forks its children with.
const CHILD = childModule('./pool-child', POOL);
const env = { ...process.env, PYRAMID_NAS_TRAINER: 'tfjs' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Forks one child as the pool does and answers the milliseconds to its `ready`; the child is then stopped. */
async function startUp(): Promise<number> {
  const t0 = performance.now();
  const child: ChildProcess = fork(CHILD.file, [], {
    env,
    execArgv: CHILD.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const ms = await new Promise<number>((res, rej) => {
    child.on('message', (m: { type?: string }) => {
      if (m?.type === 'ready') res(performance.now() - t0);
    });
    child.once('exit', (code, signal) => rej(new Error(`child exited before ready (code ${code}, signal ${signal})`)));
  });
  child.kill('SIGTERM');
  await exited;
  return ms;
}

const { ProcessPool } = (await import(POOL)) as typeof import('../workers/process-pool.js');

const proxyNote = `${args.proxy ?? 'default proxy'}${steps === undefined ? '' : `, steps ${steps}`}`;
console.log(
  `bench:pool — node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}; trainer tfjs; ${graphFile}; ${proxyNote} (${proxy!.steps} steps, batch ${proxy!.batchSize}, ${proxy!.imageSize} px)`,
);

const startMs: number[] = [];
for (let i = 0; i < startups; i++) startMs.push(await startUp());
const f = (x: number) => (x / 1000).toFixed(2);
console.log(
  `child start-up to ready   median ${f(median(startMs))} s  (min ${f(Math.min(...startMs))}, max ${f(Math.max(...startMs))}, ${startups} children)`,
);

let retired: RetireInfo | undefined;
const pool = new ProcessPool({ size: 1, env, maxTrialsPerChild: 1, onRetire: (info) => (retired = info) });
const job: TrialJob = { campaign: 'bench-pool', trialId: 'bench-pool-0', index: 0, graph: parsed.graph, proxy: proxy! };
const t0 = performance.now();
const result = await pool.run(job);
const runSeconds = (performance.now() - t0) / 1000;
await pool.close();
if (result.status !== 'complete') throw new Error(`the trial ended ${result.status}: ${result.error ?? ''}`);
if (retired?.rssMB === undefined) throw new Error('the pool did not report the child’s memory after the trial');
console.log(
  `trial                     ${result.wallSeconds.toFixed(1)} s in the child, ${runSeconds.toFixed(1)} s from run() to result (child start-up included)`,
);
console.log(`child RSS after the trial ${retired.rssMB} MB`);
if (staleReason(ROOT)) throw new Error('a source changed during the run: the figures above may mix builds');
process.exit(0);
