// Removing a campaign's BullMQ queue from Redis: every key under `pyramid-nas:<campaign>:`. Refused while
// jobs of the queue are active (a worker is training them) unless forced; the queue is never left paused
// by a refusal. Waiting jobs of a campaign that is only stopped are removed too: a resumed campaign adds
// them again (its reconcile pass re-adds lost jobs), at the price of re-running finished ones.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { discoverCampaigns } from '../../../workers/bullmq-worker.js';
import { PyramidNasError } from '../../util/errors.js';
import { QUEUE_PREFIX } from '../../util/redis-connection.js';

export const JOB_STATES = [
  'active',
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface CleanReport {
  campaign: string;
  /** Jobs the queue held, by state, when it was removed. */
  jobs: Record<JobState, number>;
  /** Redis keys deleted. */
  keys: number;
}

/** Nothing removed: no such queue, or active jobs without force. `known` lists the queues that exist. */
export class CleanError extends PyramidNasError {
  declare readonly code: 'NO_QUEUE' | 'ACTIVE';
  constructor(message: string, code: 'NO_QUEUE' | 'ACTIVE') {
    super(code, message, { usage: true });
    this.name = 'CleanError';
  }
}

async function queueKeys(redis: Redis, campaign: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    // Campaign names are [A-Za-z0-9_-]: no glob characters, and the ':' ends the name.
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${QUEUE_PREFIX}:${campaign}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export async function cleanCampaignQueue(
  redis: Redis,
  campaign: string,
  opts: { force?: boolean } = {},
): Promise<CleanReport> {
  const before = await queueKeys(redis, campaign);
  if (before.length === 0) {
    const known = await discoverCampaigns(redis);
    throw new CleanError(`no campaign queue "${campaign}" in Redis (known: ${known.join(', ') || 'none'})`, 'NO_QUEUE');
  }
  const queue = new Queue(campaign, { connection: redis, prefix: QUEUE_PREFIX });
  queue.on('error', () => {});
  try {
    const counts = (await queue.getJobCounts(...JOB_STATES)) as Record<JobState, number>;
    if (counts.active > 0 && !opts.force) {
      const active = await queue.getJobs(['active'], 0, 9);
      const list = active
        .filter(Boolean)
        .map(
          (j) => `${(j.data as { trialId?: string })?.trialId ?? j.id}${j.processedBy ? ` on ${j.processedBy}` : ''}`,
        );
      throw new CleanError(
        `campaign queue "${campaign}" has ${counts.active} active job(s) (${list.join(', ')}${counts.active > list.length ? ', …' : ''}): ` +
          'workers are training them. Stop the campaign and its workers first, or pass --force (their results are then lost)',
        'ACTIVE',
      );
    }
    try {
      await queue.obliterate({ force: Boolean(opts.force) });
    } catch (err) {
      // A job became active since the count: obliterate refused, but it paused the queue first.
      await queue.resume().catch(() => {});
      if (/active jobs/i.test((err as Error).message)) {
        throw new CleanError(
          `campaign queue "${campaign}" has active jobs now: nothing removed; stop its workers first, or pass --force`,
          'ACTIVE',
        );
      }
      throw err;
    }
    await queue.close();
    // What obliterate does not know about (a worker's stalled-check key, keys of other BullMQ versions).
    const rest = await queueKeys(redis, campaign);
    for (let i = 0; i < rest.length; i += 500) await redis.unlink(...rest.slice(i, i + 500));
    return { campaign, jobs: counts, keys: before.length };
  } finally {
    await queue.close().catch(() => {});
  }
}
