// `npm run bench:queue`: what the queue itself costs per trial, with a no-op trial processor
// (PYRAMID_NAS_TRAINER=noop: validation + the result envelope, no training), embedded vs BullMQ on
// loopback Redis. Two measurements, each the median of ROUNDS:
//   - round trip: one trial at a time, submit → result (the latency a trial pays for being queued);
//   - throughput: TRIALS trials with CONCURRENCY in flight (trials/s), and the per-trial overhead as
//     concurrency × wall / trials (slot-milliseconds a trial spends outside its processor).
// The overhead is also shown as a share of one proxy trial. DEFAULT_PROXY_TASK carries no measured
// duration, so the trial time is a parameter: BENCH_TRIAL_SECONDS (default 30 s; a default-proxy trial takes
// 40–60 s on one core, see docs/proxy-task.md). Env: BENCH_ROUNDS (5), BENCH_TRIALS (100), BENCH_CONCURRENCY (2),
// BENCH_REDIS (redis://127.0.0.1:6379).
import { cpus, loadavg } from 'node:os';

import { createRng } from '../controllers/rng.js';
import { getSpace } from '../search-spaces/index.js';
import { BullmqQueue } from '../src/campaign/queue/bullmq.js';
import { EmbeddedQueue } from '../src/campaign/queue/embedded.js';
import type { TrialQueue } from '../src/campaign/queue/types.js';
import { DEFAULT_PROXY_TASK } from '../src/trial/proxy-task.js';
import type { TrialJob, TrialResult } from '../src/trial/types.js';
import { connectRedis } from '../src/util/redis-connection.js';
import { startWorkers } from '../workers/bullmq-worker.js';
import { ProcessPool } from '../workers/process-pool.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const TRIAL_SECONDS = Number(process.env.BENCH_TRIAL_SECONDS ?? 30);
const REDIS = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const env = { ...process.env, PYRAMID_NAS_TRAINER: 'noop' };

const space = getSpace('nas-fpn', {});
const rng = createRng(1);
const graphs = Array.from({ length: 16 }, () => space.decode(space.sample(rng)));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Harness {
  queue: TrialQueue;
  next(): Promise<TrialResult>;
  close(): Promise<void>;
}

function wrap(queue: TrialQueue, close: () => Promise<void>): Harness {
  const waiting: Array<(r: TrialResult) => void> = [];
  const ready: TrialResult[] = [];
  queue.onResult((r) => {
    const w = waiting.shift();
    if (w) w(r);
    else ready.push(r);
  });
  return {
    queue,
    next: () => (ready.length ? Promise.resolve(ready.shift()!) : new Promise((res) => waiting.push(res))),
    close,
  };
}

let serial = 0;
async function embedded(): Promise<Harness> {
  const q = new EmbeddedQueue(new ProcessPool({ size: CONCURRENCY, env }), { concurrency: CONCURRENCY });
  return wrap(q, () => q.close());
}
async function bullmq(): Promise<Harness> {
  const name = `bench-queue-${process.pid}-${serial++}`;
  const redis = connectRedis(REDIS);
  const q = new BullmqQueue({ campaign: name, connection: redis });
  const workers = await startWorkers({ connection: redis, campaigns: [name], concurrency: CONCURRENCY, env });
  return wrap(q, async () => {
    await workers.close();
    await (q as BullmqQueue).queue.obliterate({ force: true });
    await q.close();
    redis.disconnect();
  });
}

let counter = 0;
function job(campaign: string): TrialJob {
  const index = counter++;
  return {
    campaign,
    trialId: `${campaign}-${index}`,
    index,
    graph: graphs[index % graphs.length],
    proxy: { ...DEFAULT_PROXY_TASK },
  };
}

async function roundTrip(h: Harness, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await h.queue.submit(job('bench'));
    await h.next();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function throughput(h: Harness): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < TRIALS; i++) await h.queue.submit(job('bench'));
  for (let i = 0; i < TRIALS; i++) await h.next();
  return (performance.now() - t0) / 1000;
}

async function measure(label: string, make: () => Promise<Harness>) {
  const rt: number[] = [];
  const tput: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const h = await make();
    await roundTrip(h, 5); // warm-up: children forked, modules loaded, JIT
    rt.push(await roundTrip(h, 20));
    tput.push(await throughput(h));
    await h.close();
  }
  const wall = median(tput);
  const perTrialMs = (CONCURRENCY * wall * 1000) / TRIALS;
  const row = {
    queue: label,
    'round trip ms (median)': median(rt).toFixed(2),
    'trials/s': (TRIALS / wall).toFixed(1),
    'overhead ms/trial': perTrialMs.toFixed(2),
    [`share of a ${TRIAL_SECONDS} s trial`]: `${((perTrialMs / 1000 / TRIAL_SECONDS) * 100).toFixed(4)} %`,
  };
  return row;
}

console.log(
  `bench:queue — no-op processor, ${TRIALS} trials × ${ROUNDS} rounds, concurrency ${CONCURRENCY}, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`,
);
console.log(
  `proxy trial time taken as ${TRIAL_SECONDS} s (BENCH_TRIAL_SECONDS; DEFAULT_PROXY_TASK has no measured time)`,
);
const rows = [
  await measure('embedded (process pool)', embedded),
  await measure(`bullmq (${REDIS.replace(/\/\/.*@/, '//***@')})`, bullmq),
];
console.table(rows);
process.exit(0);
