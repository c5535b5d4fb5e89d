// BullMQ workers run their trials on the same process pool as embedded campaigns (real Redis on
// 127.0.0.1:6379, a queue unique to this file, obliterated afterwards): a child poisoned by an engine
// error is replaced, so the trials after it complete; a job over the worker's resource limits is invalid
// at once (no retry); a job's timeoutSeconds is enforced by the worker and answered TIMEOUT without a
// retry; the worker name and progress still reach the campaign side.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialJob, TrialResult } from '../../src/trial/types.js';
import { connectRedis } from '../../src/util/redis-connection.js';
import { startWorkers } from '../../workers/bullmq-worker.js';
import { obliterate, SHARED_REDIS, uniqueName, waitFor } from './campaign-helpers.js';

const campaign = uniqueName('pool-bullmq');
after(() => obliterate(SHARED_REDIS, campaign));

const space = getSpace('nas-fpn', {});
const rng = createRng(8);
const graphs = Array.from({ length: 5 }, () => space.decode(space.sample(rng)));
const job = (i: number, over: Partial<TrialJob> = {}): TrialJob => ({
  campaign,
  trialId: `${campaign}-${i}`,
  index: i,
  graph: graphs[i],
  proxy: { ...DEFAULT_PROXY_TASK },
  ...over,
});

describe('BullMQ worker on the process pool', () => {
  test('poisoned children are replaced, limits and timeouts are enforced by the worker, names and progress flow', async () => {
    const redis = connectRedis(SHARED_REDIS);
    const queue = new BullmqQueue({ campaign, connection: redis, attempts: 2, backoffMs: 50, reconcileMs: 300 });
    const env = {
      ...process.env,
      PYRAMID_NAS_TRAINER: 'fake',
      PYRAMID_NAS_FAKE: JSON.stringify({ engineError: [0], hang: [3], delayMs: 40 }),
    };
    const logs: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const workers = await startWorkers({
      connection: redis,
      campaigns: [campaign],
      concurrency: 1,
      env,
      log: (_l, msg, fields) => logs.push({ msg, fields }),
    });
    try {
      const results: TrialResult[] = [];
      const progressed = new Set<string>();
      queue.onResult((r) => results.push(r));
      queue.onProgress((id) => progressed.add(id));
      await queue.submit(job(0));
      await queue.submit(job(1));
      await queue.submit(job(2));
      await queue.submit(job(3, { timeoutSeconds: 0.5 }));
      await queue.submit(
        job(4, { proxy: { ...DEFAULT_PROXY_TASK, channels: 4096, imageSize: 1024, batchSize: 1024, maxRepeats: 16 } }),
      );
      await waitFor('5 results', () => results.length >= 5, 60_000);
      const by = new Map(results.map((r) => [r.trialId, r]));
      const r = (i: number) => by.get(`${campaign}-${i}`)!;

      assert.equal(r(0).status, 'failed');
      assert.match(r(0).error!, /memory access out of bounds.*after 2 attempts/);
      for (const i of [1, 2]) {
        assert.equal(r(i).status, 'complete', `trial ${i}: ${r(i).error}`);
        assert.equal(r(i).worker, workers.name);
      }
      assert.ok(progressed.has(`${campaign}-1`), 'progress of a pool trial reaches the campaign');

      assert.equal(r(3).status, 'failed');
      assert.match(r(3).error!, /^TIMEOUT: trial .*-3 ran longer than its limit of 0\.5 s/);
      assert.equal(r(3).worker, workers.name);
      const timedOut = (await queue.queue.getJobs(['completed'])).find((j) => j.data.trialId === `${campaign}-3`);
      assert.ok(timedOut, 'a timeout is a result: the job completed');
      assert.equal(timedOut.attemptsStarted, 1, 'on its first attempt, not retried');

      assert.equal(r(4).status, 'invalid');
      assert.match(
        r(4).error!,
        /^invalid trial job: \$\.proxy\.imageSize is 1024, over the limit 256; .*raise with pyramid-nas worker --limits/,
      );
      const refusal = logs.find((l) => l.msg === 'trial refused as invalid');
      assert.match(
        String(refusal?.fields?.error),
        /\$\.proxy\.imageSize is 1024/,
        'the worker logs the refusal with its reason',
      );

      const replaced = logs.filter((l) => l.msg === 'trial process replaced').map((l) => l.fields!.reason);
      assert.deepEqual(replaced.filter((x) => x === 'engine-error').length, 2, `replacements logged: ${replaced}`);
      assert.ok(replaced.includes('timeout'));
    } finally {
      await workers.close();
      await queue.close();
      redis.disconnect();
    }
  });
});
