// The queue registry: the two ways a campaign runs its trials, by name. `embedded` runs them on a
// TrialRunner in this process's care (by default a pool of worker processes); `bullmq` enqueues them on
// Redis for `pyramid-nas worker` processes anywhere. Options are the retry policy and what each needs;
// what is not an option (a runner, a Redis connection) comes in the context.
import type { Redis } from 'ioredis';
import { z } from 'zod';

import { ProcessPool, type ProcessPoolOptions, type TrialRunner } from '../../../workers/process-pool.js';
import { Registry } from '../../util/registry.js';
import { CAMPAIGN_NAME } from '../config.js';
import { BullmqQueue } from './bullmq.js';
import { EmbeddedQueue } from './embedded.js';
import type { TrialQueue } from './types.js';

export interface QueueContext {
  /** embedded: where trials run (inlineRunner(trainer) runs them in this process). Default: a ProcessPool. */
  runner?: TrialRunner;
  /** embedded, without `runner`: the pool's options besides its size (which is `concurrency`). */
  pool?: Omit<ProcessPoolOptions, 'size'>;
  /** bullmq (required): a connection made with connectRedis (maxRetriesPerRequest: null). */
  connection?: Redis;
}

// The same bounds as the campaign file's `retry`; left out, each queue's own defaults apply.
const retryFields = {
  attempts: z.int().min(1).max(20).optional(),
  backoffMs: z.int().min(0).max(600_000).optional(),
};

export const queues = new Registry<TrialQueue, QueueContext>({ what: 'queue' })
  .register('embedded', {
    description: 'no Redis: trials run in a pool of worker processes owned by the campaign process',
    optionsSchema: z.strictObject({ concurrency: z.int().min(1).max(1024), ...retryFields }),
    create: (o, ctx) => new EmbeddedQueue(ctx.runner ?? new ProcessPool({ ...ctx.pool, size: o.concurrency }), o),
  })
  .register('bullmq', {
    description: 'trials are BullMQ jobs on Redis, run by `pyramid-nas worker` processes on any machine',
    optionsSchema: z.strictObject({
      campaign: z.string().regex(CAMPAIGN_NAME, 'must match [A-Za-z0-9_-]{1,64}'),
      ...retryFields,
    }),
    create: (o, ctx) => {
      if (!ctx.connection)
        throw new TypeError('the bullmq queue needs a Redis connection (context.connection, made with connectRedis)');
      return new BullmqQueue({ ...o, connection: ctx.connection });
    },
  });
