// The real trainer (TensorFlow.js, PYRAMID_NAS_TRAINER unset) end to end, on both ways a campaign runs a
// trial: the embedded process pool, and BullMQ through a `pyramid-nas worker` process. The task is small
// but honest: the FPN neck on `shapes` with large, few objects (minObjectSize 16, maxObjects 2), 300 steps
// of 16 images, scored on 64 held-out images it never trained on. Such a run scores AP ≈ 0.3 (seed 1:
// 0.345); an untrained or broken detector scores ≈ 0 (1 step: 0.002), so AP ≥ 0.2 fails unless
// training, evaluation and the result's way back all work. Both paths must give the same AP: the trainer
// is deterministic for a seed on one backend. About 20 s of CPU per path.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';

import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import type { TrialQueue } from '../../src/campaign/queue/types.js';
import type { PyramidGraph } from '../../src/graph/types.js';
import { resolveProxyTask } from '../../src/trial/proxy-task.js';
import type { TrialJob, TrialResult } from '../../src/trial/types.js';
import { connectRedis } from '../../src/util/redis-connection.js';
import { ProcessPool } from '../../workers/process-pool.js';
import { cli, killGroup, obliterate, SHARED_REDIS, uniqueName, waitFor } from '../integration/campaign-helpers.js';

const MIN_AP = 0.2;
const graph = JSON.parse(readFileSync('search-spaces/zoo/fpn.graph.json', 'utf8')) as PyramidGraph;
const proxy = resolveProxyTask({
  steps: 300,
  batchSize: 16,
  trainImages: 512,
  heldoutImages: 64,
  seed: 1,
  minObjectSize: 16,
  maxObjects: 2,
});

/** This process's environment without a trainer override: the children load the real trainer. */
function realTrainerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PYRAMID_NAS_TRAINER;
  delete env.PYRAMID_NAS_FAKE;
  return env;
}

function job(campaign: string): TrialJob {
  return { campaign, trialId: `${campaign}-0`, index: 0, graph, proxy };
}

/** Submits one job and waits for its final result. */
async function runOne(queue: TrialQueue, j: TrialJob): Promise<TrialResult> {
  const result = new Promise<TrialResult>((resolve) => queue.onResult((r) => r.trialId === j.trialId && resolve(r)));
  await queue.submit(j);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error('no result within 180 s')), 180_000)),
  );
  try {
    return await Promise.race([result, limit]);
  } finally {
    clearTimeout(timer);
  }
}

function assertTrained(r: TrialResult, path: string): number {
  assert.equal(r.status, 'complete', `${path}: ${r.error}`);
  const m = r.metrics!;
  assert.notEqual(m.backend, 'fake', `${path}: the fake trainer ran`);
  assert.equal(m.steps, 300, `${path}: steps`);
  assert.ok(m.AP >= MIN_AP, `${path}: held-out AP ${m.AP} < ${MIN_AP}: the detector did not learn`);
  assert.ok(m.AP50 >= m.AP, `${path}: AP50 ${m.AP50} < AP ${m.AP}`);
  return m.AP;
}

const aps: Record<string, number> = {};

describe('the real trainer through both queues', () => {
  after(() => {
    if (aps.embedded !== undefined && aps.bullmq !== undefined)
      process.stdout.write(`# AP embedded ${aps.embedded}, bullmq ${aps.bullmq}\n`);
  });

  test('embedded process pool: a trained FPN scores held-out AP ≥ 0.2', async () => {
    const queue = new EmbeddedQueue(new ProcessPool({ size: 1, env: realTrainerEnv() }), {
      concurrency: 1,
      attempts: 1,
    });
    try {
      aps.embedded = assertTrained(await runOne(queue, job(uniqueName('real-embedded'))), 'embedded');
    } finally {
      await queue.close();
    }
  });

  test('BullMQ with a `pyramid-nas worker` process: the same AP', async () => {
    const name = uniqueName('real-bullmq');
    const worker = cli(['worker', '--redis', SHARED_REDIS, '--campaign', name], realTrainerEnv());
    const redis = connectRedis(SHARED_REDIS);
    const queue = new BullmqQueue({ campaign: name, connection: redis, attempts: 1, reconcileMs: 500 });
    try {
      await waitFor(
        'the worker to be ready',
        () => worker.stderr().includes('worker ready') || worker.child.exitCode !== null,
        30_000,
      );
      assert.equal(worker.child.exitCode, null, `worker exited: ${worker.stderr()}`);
      const r = await runOne(queue, job(name));
      aps.bullmq = assertTrained(r, 'bullmq');
      assert.notEqual(r.worker, undefined);
      if (aps.embedded !== undefined)
        assert.ok(
          Math.abs(aps.bullmq - aps.embedded) < 1e-9,
          `AP differs between the paths: embedded ${aps.embedded}, bullmq ${aps.bullmq}`,
        );
    } finally {
      await killGroup(worker.child, 'SIGKILL');
      await queue.close();
      redis.disconnect();
      await obliterate(SHARED_REDIS, name);
    }
  });
});
