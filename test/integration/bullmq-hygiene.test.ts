// Jobs a campaign queue must refuse, on real BullMQ/Redis (queue names unique per test): one whose data
// is not JSON (written into Redis by another client) and one that claims another campaign. Both fail at
// once as invalid (no retries), the campaign side gets an 'invalid' result, and the worker keeps serving.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { bullmqJobId, BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialJob, TrialResult } from '../../src/trial/types.js';
import { connectRedis, QUEUE_PREFIX } from '../../src/util/redis-connection.js';
import { startWorkers } from '../../workers/bullmq-worker.js';
import { obliterate, SHARED_REDIS, uniqueName, waitFor } from './campaign-helpers.js';

const space = getSpace('nas-fpn', {});
const graph = space.decode(space.sample(createRng(5)));
const job = (campaign: string, i: number, over: Partial<TrialJob> = {}): TrialJob => ({
  campaign,
  trialId: `${campaign}-${i}`,
  index: i,
  graph,
  proxy: { ...DEFAULT_PROXY_TASK },
  ...over,
});
const fakeEnv = { ...process.env, PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify({ delayMs: 20 }) };

/** A BullmqQueue, in-process workers for it, the results it delivers; `before` runs before the workers start. */
async function withQueue(
  name: string,
  before: (q: BullmqQueue, redis: Redis) => Promise<void>,
  body: (q: BullmqQueue, results: TrialResult[], redis: Redis) => Promise<void>,
): Promise<void> {
  const redis = connectRedis(SHARED_REDIS);
  const queue = new BullmqQueue({ campaign: name, connection: redis, attempts: 3, backoffMs: 50, reconcileMs: 300 });
  const results: TrialResult[] = [];
  queue.onResult((r) => results.push(r));
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  try {
    await before(queue, redis);
    workers = await startWorkers({
      connection: redis,
      campaigns: [name],
      concurrency: 1,
      env: fakeEnv,
      discoverMs: 100,
    });
    await body(queue, results, redis);
  } finally {
    await workers?.close(true);
    await queue.close();
    redis.disconnect();
    await obliterate(SHARED_REDIS, name);
  }
}

describe('BullMQ job hygiene', () => {
  test('a job whose data is not JSON fails at once as invalid (it used to stay active forever); the worker keeps going', async () => {
    const name = uniqueName('bullmq-notjson');
    const bad = job(name, 0, { runId: '0123456789ab' });
    await withQueue(
      name,
      async (q, redis) => {
        await q.submit(bad);
        // Another client overwrites the job's data before any worker has seen it.
        await redis.hset(`${QUEUE_PREFIX}:${name}:${bullmqJobId(bad)}`, 'data', '{"campaign": not json');
      },
      async (q, results, redis) => {
        await waitFor("the bad job's result", () => results.length >= 1, 20_000);
        assert.equal(results[0].trialId, bad.trialId);
        assert.equal(results[0].status, 'invalid');
        assert.match(results[0].error!, /^invalid trial job: .*not JSON/);
        const reason = await redis.hget(`${QUEUE_PREFIX}:${name}:${bullmqJobId(bad)}`, 'failedReason');
        assert.match(reason ?? '', /^invalid trial job: job .* holds data that is not JSON/);
        assert.equal(await q.queue.getJobState(bullmqJobId(bad)), 'failed');
        const attempts = await redis.hget(`${QUEUE_PREFIX}:${name}:${bullmqJobId(bad)}`, 'atm');
        assert.equal(Number(attempts ?? 0), 1, 'not retried');
        await q.submit(job(name, 1));
        await waitFor("the next job's result", () => results.length >= 2, 20_000);
        assert.equal(results[1].status, 'complete');
      },
    );
  });

  test("a campaign's own job whose data was rewritten to name another campaign is told invalid, from the job's data", async () => {
    const name = uniqueName('bullmq-renamed');
    const other = uniqueName('bullmq-elsewhere');
    const mine = job(name, 0, { runId: '0123456789ab' });
    await withQueue(
      name,
      async (q, redis) => {
        await q.submit(mine);
        // Another client rewrites the job before any worker has seen it.
        await redis.hset(
          `${QUEUE_PREFIX}:${name}:${bullmqJobId(mine)}`,
          'data',
          JSON.stringify({ ...mine, campaign: other }),
        );
      },
      async (q, results) => {
        await waitFor("the rewritten job's result", () => results.length >= 1, 20_000);
        assert.equal(results[0].trialId, mine.trialId);
        assert.equal(results[0].status, 'invalid');
        assert.match(
          results[0].error!,
          new RegExp(`^invalid trial job: \\$\\.campaign: "${other}" is not this queue's campaign "${name}"`),
        );
        assert.equal(await q.queue.getJobState(bullmqJobId(mine)), 'failed');
      },
    );
  });

  test('a job that names another campaign is refused as invalid, not trained', async () => {
    const name = uniqueName('bullmq-foreign');
    const other = uniqueName('bullmq-other');
    await withQueue(
      name,
      async () => {},
      async (q, results, redis) => {
        // Added with BullMQ directly: a BullmqQueue files results by its own trial ids.
        const raw = new Queue(name, { connection: redis, prefix: QUEUE_PREFIX });
        await raw.add('trial', job(other, 0), { jobId: `${other}-0`, attempts: 3 });
        await raw.close();
        await waitFor(
          'the foreign job to fail',
          async () => (await q.queue.getJobState(`${other}-0`)) === 'failed',
          20_000,
        );
        const failed = await q.queue.getJob(`${other}-0`);
        assert.equal(failed?.attemptsMade, 1, 'not retried');
        assert.equal(failed?.returnvalue ?? null, null, 'not trained');
        assert.match(
          failed!.failedReason,
          new RegExp(`^invalid trial job: \\$\\.campaign: "${other}" is not this queue's campaign "${name}"`),
        );
        await q.submit(job(name, 1));
        await waitFor("the next job's result", () => results.length >= 1, 20_000);
        assert.equal(results[0].status, 'complete');
      },
    );
  });
});
