// The embedded queue tells a trial's status from data, as BullMQ does: a job that can never run comes back
// from the runner as an 'invalid' result (not retried); an UnrecoverableError is final and 'failed' (BullMQ
// does not retry it either); any other error is retried, whatever its message says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { UnrecoverableError } from 'bullmq';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { fakeMetrics } from '../../src/testing/fake-trainer.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import { type Trainer, TRIAL_STATUS, type TrialJob, type TrialResult } from '../../src/trial/types.js';
import { InvalidTrialError } from '../../workers/trial-processor.js';

const space = getSpace('nas-fpn');
const graph = space.decode(space.sample(createRng(4)));
const job: TrialJob = { campaign: 'q', trialId: 'q-0', index: 0, graph, proxy: { ...DEFAULT_PROXY_TASK } };

/** Runs `job` (or `data`) on an embedded queue with 3 attempts; the result and how often the trainer ran. */
async function runOnce(
  trainer: (call: number) => Promise<void>,
  data: TrialJob = job,
): Promise<{ result: TrialResult; calls: number }> {
  let calls = 0;
  const t: Trainer = async (g, proxy) => {
    await trainer(++calls);
    return fakeMetrics(g, proxy.seed);
  };
  const queue = new EmbeddedQueue(inlineRunner(t), { concurrency: 1, attempts: 3, backoffMs: 1 });
  try {
    const result = await new Promise<TrialResult>((resolve) => {
      queue.onResult(resolve);
      void queue.submit(data);
    });
    return { result, calls };
  } finally {
    await queue.close();
  }
}

describe('embedded queue: statuses are data', () => {
  test('an invalid payload is an invalid result at once, with its message; the trainer never runs', async () => {
    const { result, calls } = await runOnce(async () => {}, {
      ...job,
      proxy: { ...DEFAULT_PROXY_TASK, imageSize: 1e9 },
    });
    assert.equal(result.status, TRIAL_STATUS.invalid);
    assert.match(result.error!, /^invalid trial job: .*\$\.proxy\.imageSize/);
    assert.equal(calls, 0);
  });

  test('a trainer that refuses the job (InvalidTrialError) gives an invalid result, not retried', async () => {
    const { result, calls } = await runOnce(async () => {
      throw new InvalidTrialError('invalid trial job: $.graph: refused by the trainer');
    });
    assert.equal(result.status, TRIAL_STATUS.invalid);
    assert.equal(result.error, 'invalid trial job: $.graph: refused by the trainer');
    assert.equal(calls, 1);
  });

  test('an UnrecoverableError is final: failed after one attempt', async () => {
    const { result, calls } = await runOnce(async () => {
      throw new UnrecoverableError('the backend cannot run this model');
    });
    assert.equal(result.status, TRIAL_STATUS.failed);
    assert.match(result.error!, /^the backend cannot run this model \(after 1 attempts\)$/);
    assert.equal(calls, 1);
  });

  test("an error whose message reads like an invalid job's is retried, then failed", async () => {
    const { result, calls } = await runOnce(async () => {
      throw new Error('invalid trial job: only the message says so');
    });
    assert.equal(result.status, TRIAL_STATUS.failed);
    assert.match(result.error!, /after 3 attempts/);
    assert.equal(calls, 3);
  });
});
