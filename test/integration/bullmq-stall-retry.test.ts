// A stall (the worker running a trial died, or lost its lock to a Redis outage) is a transient fault: the
// trial is run again while it has attempts left, and each stalled start counts as one of them. Stalls are
// made by force-closing the worker that runs the trial (it abandons the trial without a word to Redis,
// as a killed process would); the next worker's stall check hands the job over.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import type { FakeSpec } from '../../src/testing/fake-trainer.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialResult } from '../../src/trial/types.js';
import { connectRedis } from '../../src/util/redis-connection.js';
import { startWorkers } from '../../workers/bullmq-worker.js';
import { SHARED_REDIS, startsPerTrial, uniqueName, waitFor } from './campaign-helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * One trial with `attempts`; `stalls` workers in turn start it and are force-closed mid-trial, then one
 * more worker serves the queue. Returns the trial's result and how often it was started.
 */
async function stallRepeatedly(attempts: number, stalls: number): Promise<{ result: TrialResult; starts: number }> {
  const name = uniqueName('stall-retry');
  const trialId = `${name}-0`;
  const logDir = join(mkdtempSync(join(tmpdir(), 'pnas-stall-')), 'starts');
  dirs.push(join(logDir, '..'));
  const spec: FakeSpec = { delayMs: 3000, logDir };
  const env = { ...process.env, PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify(spec) };
  const redis = connectRedis(SHARED_REDIS);
  const queue = new BullmqQueue({ campaign: name, connection: redis, attempts, backoffMs: 50, reconcileMs: 300 });
  const results: TrialResult[] = [];
  queue.onResult((r) => results.push(r));
  const space = getSpace('nas-fpn', {});
  await queue.submit({
    campaign: name,
    trialId,
    index: 0,
    graph: space.decode(space.sample(createRng(1))),
    proxy: { ...DEFAULT_PROXY_TASK },
  });
  const serve = async () => {
    const connection = connectRedis(SHARED_REDIS);
    const pool = await startWorkers({ connection, campaigns: [name], lockDuration: 1000, stalledInterval: 500, env });
    return { pool, connection };
  };
  let last: Awaited<ReturnType<typeof serve>> | undefined;
  try {
    for (let i = 1; i <= stalls; i++) {
      const w = await serve();
      try {
        await waitFor(
          `start #${i} of the trial`,
          () => (startsPerTrial(logDir).get(trialId) ?? 0) >= i || results.length > 0,
          30_000,
        );
        assert.equal(results.length, 0, `no result before stall #${i}: ${JSON.stringify(results)}`);
      } finally {
        await w.pool.close(true);
        w.connection.disconnect();
      }
    }
    last = await serve();
    await waitFor("the trial's result", () => results.length > 0, 60_000);
    return { result: results[0], starts: startsPerTrial(logDir).get(trialId) ?? 0 };
  } finally {
    if (last) {
      await last.pool.close(true);
      last.connection.disconnect();
    }
    await queue.queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  }
}

describe('stalled trials (BullMQ)', () => {
  test('a trial that stalls twice with attempts left is run a third time and completes', async () => {
    const { result, starts } = await stallRepeatedly(3, 2);
    assert.equal(result.status, 'complete', `result ${JSON.stringify(result)}`);
    assert.equal(starts, 3);
  });

  test('stalls use up attempts: with 2 attempts, two stalls fail the trial without a third start', async () => {
    const { result, starts } = await stallRepeatedly(2, 2);
    assert.equal(result.status, 'failed', `result ${JSON.stringify(result)}`);
    assert.match(
      result.error!,
      /^ATTEMPTS_EXHAUSTED: all 2 attempts ended without a result \(2 by a stall: .*\) \(after 2 attempts\)$/,
    );
    assert.equal(starts, 2);
  });
});
