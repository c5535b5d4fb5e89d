// BullMQ workers name themselves `<hostname>:<pid>`: BullMQ stores that name on every job they take
// (`processedBy`, which the dashboard's running-trials view shows), and the trial result's `worker` field
// (what the journal's told event records) carries the same name, although the trial runs in a forked
// child with another pid. Real Redis on 127.0.0.1:6379; the queue is obliterated afterwards.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, describe, test } from 'node:test';

import { Job } from 'bullmq';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { type QueueView, RedisView } from '../../src/dashboard/redis-view.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialJob, TrialResult } from '../../src/trial/types.js';
import { connectRedis } from '../../src/util/redis-connection.js';
import { startWorkers } from '../../workers/bullmq-worker.js';
import { obliterate, SHARED_REDIS, uniqueName, waitFor } from './campaign-helpers.js';

const campaign = uniqueName('wname');
after(() => obliterate(SHARED_REDIS, campaign));

describe('BullMQ worker name', () => {
  test("processedBy, the dashboard view and the result's worker all carry <hostname>:<pid>", async () => {
    const space = getSpace('nas-fpn', {});
    const graph = space.decode(space.sample(createRng(3)));
    const job: TrialJob = { campaign, trialId: `${campaign}-0`, index: 0, graph, proxy: { ...DEFAULT_PROXY_TASK } };

    const redis = connectRedis(SHARED_REDIS);
    const queue = new BullmqQueue({ campaign, connection: redis, attempts: 1, backoffMs: 50, reconcileMs: 300 });
    // Long enough for the view to see the trial running (it polls every 100 ms).
    const env = { ...process.env, PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify({ delayMs: 1500 }) };
    const workers = await startWorkers({ connection: redis, campaigns: [campaign], concurrency: 1, env });
    const views: QueueView[] = [];
    const view = new RedisView(
      SHARED_REDIS,
      () => new Map([['c', campaign]]),
      (v) => views.push(v),
      100,
    );
    try {
      assert.equal(workers.name, `${hostname()}:${process.pid}`);
      const results: TrialResult[] = [];
      queue.onResult((r) => results.push(r));
      view.start();
      await queue.submit(job);

      const running = await waitFor(
        'the dashboard view to show the running trial',
        () => views.flatMap((v) => v.active).find((a) => a.trialId === job.trialId),
        20_000,
      );
      assert.equal(running?.worker, workers.name);

      await waitFor('the trial result', () => results.length > 0, 30_000);
      assert.equal(results[0].status, 'complete');
      assert.equal(results[0].worker, workers.name);

      const stored = await Job.fromId(queue.queue, job.trialId);
      assert.ok(stored, 'the job is still in Redis');
      assert.equal(stored.processedBy, workers.name);
    } finally {
      await view.close();
      // Graceful: a forced close leaves a sandboxed child that is mid-trial running (BullMQ 6.7), which
      // would keep this file from exiting when an assertion fails while the trial still runs.
      await workers.close();
      await queue.close();
      redis.disconnect();
    }
  });
});
