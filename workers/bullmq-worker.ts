// `pyramid-nas worker`: BullMQ workers that run trials with the sandboxed processor (a child process
// per running trial, so training never blocks lock renewal). One Worker per campaign queue; with `all`,
// campaign queues are discovered in Redis (and re-discovered every few seconds).
import { Worker } from 'bullmq';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { QUEUE_PREFIX } from './redis-connection.js';

export const SANDBOXED_PROCESSOR = fileURLToPath(new URL('./sandboxed-processor.mjs', import.meta.url));

/** How a worker process names itself: BullMQ stores it on every job it takes (`processedBy`). */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** Environment variable that hands the worker's name to its sandboxed trial processes. */
export const WORKER_NAME_ENV = 'PYRAMID_NAS_WORKER_NAME';

export interface WorkerPoolOptions {
  connection: Redis;
  /** Campaign names, or 'all' to serve every campaign queue found under the prefix. */
  campaigns: string[] | 'all';
  /** Trials run at once by this process, per campaign queue (default 1). */
  concurrency?: number;
  /** Lock and stall timing (ms); short values only in tests. BullMQ defaults: 30000 / 30000. */
  lockDuration?: number;
  stalledInterval?: number;
  /** Environment of the sandboxed trial processes (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** How often `all` looks for new campaign queues (default 5000 ms). */
  discoverMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface WorkerPool {
  readonly queues: string[];
  /** `<hostname>:<pid>`: the jobs' `processedBy` and the trial results' `worker`. */
  readonly name: string;
  /** Graceful: stop taking jobs, let running trials finish (force: abandon them; they stall and are retried elsewhere). */
  close(force?: boolean): Promise<void>;
}

/** Campaign queue names present in Redis (BullMQ writes `<prefix>:<queue>:meta` for every queue). */
export async function discoverCampaigns(redis: Redis): Promise<string[]> {
  const names = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${QUEUE_PREFIX}:*:meta`, 'COUNT', 500);
    cursor = next;
    for (const k of keys) names.add(k.slice(QUEUE_PREFIX.length + 1, -':meta'.length));
  } while (cursor !== '0');
  return [...names].sort();
}

export async function startWorkers(opts: WorkerPoolOptions): Promise<WorkerPool> {
  const log = opts.log ?? (() => {});
  const workers = new Map<string, Worker>();
  let closing = false;
  const name = workerName();
  // The trial runs in a forked child whose own pid would be a different name; hand it the parent's.
  const env = { ...(opts.env ?? process.env), [WORKER_NAME_ENV]: name };

  const add = (queue: string) => {
    if (workers.has(queue) || closing) return;
    const w = new Worker(queue, SANDBOXED_PROCESSOR, {
      name,
      connection: opts.connection,
      prefix: QUEUE_PREFIX,
      concurrency: opts.concurrency ?? 1,
      useWorkerThreads: false,
      ...(opts.lockDuration ? { lockDuration: opts.lockDuration } : {}),
      ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
      maxStalledCount: 1,
      workerForkOptions: { env },
    });
    w.on('active', (job) => log('info', 'trial started', { campaign: queue, trialId: job.id }));
    w.on('completed', (job) => log('info', 'trial finished', { campaign: queue, trialId: job.id, status: (job.returnvalue as { status?: string })?.status }));
    w.on('failed', (job, err) => log('warn', 'trial failed', { campaign: queue, trialId: job?.id, attempt: job?.attemptsMade, error: err.message }));
    w.on('error', (err) => log('error', 'worker error', { campaign: queue, error: err.message }));
    workers.set(queue, w);
    log('info', 'serving campaign', { campaign: queue });
  };

  let timer: NodeJS.Timeout | undefined;
  if (opts.campaigns === 'all') {
    const discover = async () => {
      try {
        for (const name of await discoverCampaigns(opts.connection)) add(name);
      } catch (err) {
        log('warn', 'queue discovery failed', { error: (err as Error).message });
      }
    };
    await discover();
    timer = setInterval(() => void discover(), opts.discoverMs ?? 5000);
  } else {
    for (const name of opts.campaigns) add(name);
  }

  return {
    name,
    get queues() {
      return [...workers.keys()];
    },
    async close(force = false) {
      closing = true;
      if (timer) clearInterval(timer);
      await Promise.all([...workers.values()].map((w) => w.close(force)));
    },
  };
}
