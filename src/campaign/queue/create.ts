// The queue a campaign runs on, ready to use: with a Redis URL, a BullMQ queue on a connection that is up
// (or a RedisUrlError naming the URL, with nothing left open); without one, the embedded pool. Both come
// from the queue registry with the campaign's retry policy.
import type { Redis } from 'ioredis';

import type { JobLimits } from '../../../workers/job-limits.js';
import type { TrialRunner } from '../../../workers/process-pool.js';
import { connectRedis, waitReady, warnIfEvicting } from '../../util/redis-connection.js';
import type { ResolvedCampaign } from '../config.js';
import { concurrencyWarning } from './embedded.js';
import { queues } from './registry.js';
import type { TrialQueue } from './types.js';

export interface CreateQueueOptions {
  /** BullMQ on this Redis (redis://… or rediss://…). Absent: the embedded pool. */
  redis?: string;
  /** Embedded: the pool's job resource limits (default DEFAULT_JOB_LIMITS). */
  limits?: JobLimits;
  /** Embedded: the command a limits error tells the user to raise them with. */
  raiseLimitsWith?: string;
  /** Embedded: run trials here instead of a pool (inlineRunner(trainer) for tests and tools). */
  runner?: TrialRunner;
  /** Warnings (a lost Redis connection, an eviction policy, more concurrency than cores) and notes. */
  warn?(message: string): void;
  info?(message: string): void;
}

export interface CampaignQueue {
  readonly queue: TrialQueue;
  /** The Redis connection of a BullMQ queue. */
  readonly redis?: Redis;
  /** Closes the queue (and the pool or the connection it owns). */
  close(): Promise<void>;
}

export async function createQueue(config: ResolvedCampaign, o: CreateQueueOptions = {}): Promise<CampaignQueue> {
  const warn = o.warn ?? (() => {});
  const retry = { attempts: config.retry.attempts, backoffMs: config.retry.backoffMs };
  if (!o.redis) {
    const crowded = o.runner ? undefined : concurrencyWarning(config.concurrency);
    if (crowded) warn(crowded);
    const pool = {
      ...(o.limits ? { limits: o.limits } : {}),
      ...(o.raiseLimitsWith ? { raiseLimitsWith: o.raiseLimitsWith } : {}),
    };
    const queue = queues.create('embedded', { concurrency: config.concurrency, ...retry }, { runner: o.runner, pool });
    return { queue, close: () => queue.close() };
  }
  const redis = connectRedis(o.redis);
  // It reconnects on its own and BullMQ commands wait (maxRetriesPerRequest: null): say so once per outage.
  let down = false;
  redis.on('error', (err) => {
    if (!down) warn(`Redis connection lost (${err.message}); reconnecting`);
    down = true;
  });
  redis.on('ready', () => {
    if (down) o.info?.('Redis reconnected');
    down = false;
  });
  let queue: TrialQueue;
  try {
    await waitReady(redis, o.redis);
    await warnIfEvicting(redis, warn);
    queue = queues.create('bullmq', { campaign: config.name, ...retry }, { connection: redis });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return {
    queue,
    redis,
    close: async () => {
      try {
        await queue.close();
      } finally {
        redis.disconnect();
      }
    },
  };
}
