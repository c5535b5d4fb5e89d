// Reconcile reads a pending job from Redis in two round trips (its state and the job itself). A job that
// completes between the two must come out as its own result, never as a failure with no result: after a
// Redis restart QueueEvents may miss the completion, and reconcile is then the only way a result arrives.
// The completion is forced into that window: whichever of the two reads comes first, the job is let finish
// right after it returns.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Job, Queue, Worker } from 'bullmq';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { fakeMetrics } from '../../src/testing/fake-trainer.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialResult } from '../../src/trial/types.js';
import { connectRedis, QUEUE_PREFIX } from '../../src/util/redis-connection.js';
import { SHARED_REDIS, uniqueName, waitFor } from './campaign-helpers.js';

/** Runs `between` once, right after the first Redis read of a job (state or job) that `run` makes. */
async function withHookAfterFirstRead(between: () => Promise<void>, run: () => Promise<void>): Promise<void> {
  const originals = { fromId: Job.fromId, getState: Job.prototype.getState, getJobState: Queue.prototype.getJobState };
  let fired = false;
  const after = async <T>(v: T): Promise<T> => {
    if (!fired) {
      fired = true;
      await between();
    }
    return v;
  };
  const statics = Job as unknown as Record<string, unknown>;
  statics.fromId = async function (this: unknown, ...a: unknown[]) {
    return after(await (originals.fromId as (...x: unknown[]) => Promise<unknown>).apply(this, a));
  };
  Job.prototype.getState = async function (this: Job, ...a: []) {
    return after(await originals.getState.apply(this, a));
  };
  Queue.prototype.getJobState = async function (this: Queue, ...a: [string]) {
    return after(await originals.getJobState.apply(this, a));
  };
  try {
    await run();
  } finally {
    statics.fromId = originals.fromId;
    Job.prototype.getState = originals.getState;
    Queue.prototype.getJobState = originals.getJobState;
  }
  assert.ok(fired, 'the hook ran (reconcile read the job from Redis)');
}

describe('BullMQ reconcile', () => {
  test('a job that completes between reconcile\'s two reads is delivered with its result, not as "no trial result"', async () => {
    const name = uniqueName('reconcile-race');
    const space = getSpace('nas-fpn', {});
    const graph = space.decode(space.sample(createRng(1)));
    const redis = connectRedis(SHARED_REDIS);
    const workerRedis = connectRedis(SHARED_REDIS);
    // No timer pass: the test calls reconcile itself.
    const q = new BullmqQueue({ campaign: name, connection: redis, reconcileMs: 1e9 });
    const results: TrialResult[] = [];
    q.onResult((r) => results.push(r));
    const job = { campaign: name, trialId: `${name}-0`, index: 0, graph, proxy: { ...DEFAULT_PROXY_TASK } };
    // As after a Redis restart: the events stream starts over and QueueEvents misses the completion.
    (q as unknown as { events: { removeAllListeners(e: string): void } }).events.removeAllListeners('completed');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const answer: TrialResult = {
      trialId: job.trialId,
      status: 'complete',
      metrics: fakeMetrics(graph, 0),
      wallSeconds: 0,
    };
    const w = new Worker(
      name,
      async () => {
        await gate;
        return answer;
      },
      { connection: workerRedis, prefix: QUEUE_PREFIX },
    );
    try {
      const active = new Promise((r) => w.once('active', r));
      await q.submit(job);
      await active;
      const completed = new Promise((r) => w.once('completed', r));
      await withHookAfterFirstRead(
        async () => {
          release();
          await completed;
        },
        () => q.reconcile(),
      );
      // The pass that straddled the completion may deliver it or leave it to the next one; never a failure.
      assert.ok(
        results.every((r) => r.status === 'complete'),
        `delivered ${JSON.stringify(results)}`,
      );
      await q.reconcile();
      await waitFor('the result', () => results.length > 0, 5000);
      assert.deepEqual(results, [answer]);
    } finally {
      release();
      await w.close();
      await q.queue.obliterate({ force: true });
      await q.close();
      redis.disconnect();
      workerRedis.disconnect();
    }
  });
});
