// `pyramid-nas worker`: BullMQ workers that hand trials to one process pool (a child process per running
// trial, so training never blocks lock renewal; see pool-processor.ts). One Worker per campaign queue; with `all`,
// campaign queues are discovered in Redis (and re-discovered every few seconds).
import { hostname } from 'node:os';

import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import { TRIAL_STATUS } from '../src/trial/types.js';
import { isConnectionError, OutageLog, QUEUE_PREFIX } from '../src/util/redis-connection.js';
import { STALL_LIMIT } from './attempt-budget.js';
import type { RecyclePolicy } from './child-lifecycle.js';
import type { JobLimits } from './job-limits.js';
import { poolProcessor } from './pool-processor.js';
import { ProcessPool, type RetireInfo } from './process-pool.js';
import { TrialWorker } from './trial-worker.js';

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
  /** Environment of the trial processes (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Child recycling and job resource limits of the process pool (defaults: child-lifecycle.ts, job-limits.ts). */
  pool?: Partial<RecyclePolicy> & { limits?: Readonly<JobLimits> };
  /** How often `all` looks for new campaign queues (default 5000 ms), and a named one not there yet (default 1000 ms). */
  discoverMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface WorkerPool {
  readonly queues: string[];
  /** Campaigns asked for by name whose queue does not exist in Redis yet: served once it appears. */
  readonly waitingFor: string[];
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

async function queueExists(redis: Redis, campaign: string): Promise<boolean> {
  return (await redis.exists(`${QUEUE_PREFIX}:${campaign}:meta`)) === 1;
}

/** Log fields of a job: its trial and run (the job id is `<trialId>.<runId>`; its data may be unreadable). */
function jobFields(job: { id?: string; data: unknown }): Record<string, unknown> {
  const d = (job.data ?? {}) as { trialId?: unknown; runId?: unknown };
  return {
    trialId: typeof d.trialId === 'string' ? d.trialId : job.id,
    ...(typeof d.runId === 'string' ? { run: d.runId } : {}),
  };
}

export async function startWorkers(opts: WorkerPoolOptions): Promise<WorkerPool> {
  const log = opts.log ?? (() => {});
  const workers = new Map<string, Worker>();
  let closing = false;
  const missing = new Set<string>();
  const outage = OutageLog.watch(opts.connection, {
    lost: (error) => log('warn', 'Redis connection lost; reconnecting', { error }),
    restored: () => log('info', 'Redis reconnected'),
  });
  const name = workerName();
  // The trial runs in a forked child whose own pid would be a different name; hand it the parent's.
  const env = { ...(opts.env ?? process.env), [WORKER_NAME_ENV]: name };
  // One pool for every queue: BullMQ's concurrency bounds the trials at once, per queue.
  const pool = new ProcessPool({
    size: Number.POSITIVE_INFINITY,
    env,
    workerName: name,
    ...opts.pool,
    onRetire: (r: RetireInfo) => log(r.reason === 'max-trials' ? 'info' : 'warn', 'trial process replaced', { ...r }),
  });
  const processor = poolProcessor(pool);

  const add = (queue: string) => {
    if (workers.has(queue) || closing) return;
    const w = new TrialWorker(queue, processor, {
      name,
      connection: opts.connection,
      prefix: QUEUE_PREFIX,
      concurrency: opts.concurrency ?? 1,
      ...(opts.lockDuration ? { lockDuration: opts.lockDuration } : {}),
      ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
      // A stall is one of the job's attempts, counted by TrialWorker; BullMQ's own limit must not come first.
      maxStalledCount: STALL_LIMIT,
    });
    w.on('active', (job) => log('info', 'trial started', { campaign: queue, ...jobFields(job) }));
    w.on('completed', (job) => {
      const r = (job.returnvalue ?? {}) as { status?: string; error?: string };
      // An invalid job is a result too (not retried); its refusal is worth a warning with the reason.
      if (r.status === TRIAL_STATUS.invalid)
        log('warn', 'trial refused as invalid', { campaign: queue, ...jobFields(job), error: r.error });
      else log('info', 'trial finished', { campaign: queue, ...jobFields(job), status: r.status });
    });
    w.on('failed', (job, err) =>
      log('warn', 'trial failed', {
        campaign: queue,
        ...(job ? jobFields(job) : {}),
        attempt: job?.attemptsMade,
        error: err.message,
      }),
    );
    // Each blocking connection reports every failed reconnect: one line per outage instead (OutageLog).
    w.on('error', (err) =>
      isConnectionError(err) ? outage.lost(err) : log('error', 'worker error', { campaign: queue, error: err.message }),
    );
    workers.set(queue, w);
    log('info', 'serving campaign', { campaign: queue });
  };

  let timer: NodeJS.Timeout | undefined;
  if (opts.campaigns === 'all') {
    const discover = async () => {
      try {
        for (const name of await discoverCampaigns(opts.connection)) add(name);
      } catch (err) {
        if (isConnectionError(err as Error)) outage.lost(err as Error);
        else log('warn', 'queue discovery failed', { error: (err as Error).message });
      }
    };
    await discover();
    timer = setInterval(() => void discover(), opts.discoverMs ?? 5000);
  } else {
    // A Worker writes its queue's keys: serve a named campaign only once its queue exists (a typo must
    // not create one), and say what exists meanwhile.
    for (const c of opts.campaigns)
      if (await queueExists(opts.connection, c)) add(c);
      else missing.add(c);
    if (missing.size > 0) {
      const known = await discoverCampaigns(opts.connection);
      log(
        'warn',
        `no campaign queue ${[...missing].map((c) => `"${c}"`).join(', ')} in Redis yet; waiting for it to appear (pyramid-nas search … --redis starts it)`,
        { known: known.join(',') || '(none)' },
      );
      timer = setInterval(() => {
        void (async () => {
          for (const c of [...missing]) {
            try {
              if (await queueExists(opts.connection, c)) {
                missing.delete(c);
                add(c);
              }
            } catch (err) {
              if (isConnectionError(err as Error)) outage.lost(err as Error);
              else log('warn', 'queue lookup failed', { campaign: c, error: (err as Error).message });
            }
          }
          if (missing.size === 0) clearInterval(timer);
        })();
      }, opts.discoverMs ?? 1000);
    }
  }

  return {
    name,
    get queues() {
      return [...workers.keys()];
    },
    get waitingFor() {
      return [...missing];
    },
    async close(force = false) {
      closing = true;
      if (timer) clearInterval(timer);
      outage.stop();
      if (force) processor.abandon();
      await Promise.all([...workers.values()].map((w) => w.close(force)));
      await pool.close();
    },
  };
}
