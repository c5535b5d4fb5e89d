// Run identity on real BullMQ/Redis (127.0.0.1:6379, queue names unique per test): a second run of a
// campaign with the same name, while workers are still up and the first run's finished jobs are still in
// Redis, trains its own trials instead of picking up the first run's results; and a finished campaign
// leaves only the queue's bookkeeping keys behind (each job is removed once its result is journaled).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import type { TrialQueue } from '../../src/campaign/queue/types.js';
import { createFakeTrainer, type FakeSpec } from '../../src/testing/fake-trainer.js';
import { connectRedis, QUEUE_PREFIX } from '../../src/util/redis-connection.js';
import { startWorkers } from '../../workers/bullmq-worker.js';
import { journalEssence, obliterate, SHARED_REDIS, uniqueName } from './campaign-helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pnas-runid-'));
  dirs.push(d);
  return d;
}

const fakeEnv = (spec: FakeSpec): NodeJS.ProcessEnv => ({
  ...process.env,
  PYRAMID_NAS_TRAINER: 'fake',
  PYRAMID_NAS_FAKE: JSON.stringify(spec),
});

function config(name: string, seed: number, trials: number): ResolvedCampaign {
  return resolveCampaign({
    name,
    seed,
    space: { name: 'nas-fpn' },
    controller: { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } },
    budget: { trials },
    concurrency: 2,
    retry: { attempts: 2, backoffMs: 50 },
    snapshotEvery: 3,
  });
}

async function run(cfg: ResolvedCampaign, queue: TrialQueue, dir = tmp()): Promise<string> {
  const space = campaignSpace(cfg);
  await runCampaign(
    cfg,
    { space, createController: () => campaignController(cfg, space), queue },
    { dir, resume: false },
  );
  return dir;
}

/** The uninterrupted in-process reference of a campaign. */
async function reference(cfg: ResolvedCampaign, spec: FakeSpec): Promise<unknown[]> {
  const q = new EmbeddedQueue(inlineRunner(createFakeTrainer(spec)), {
    concurrency: cfg.concurrency,
    attempts: 2,
    backoffMs: 1,
  });
  try {
    return journalEssence(await run(cfg, q));
  } finally {
    await q.close();
  }
}

/** A queue that never removes jobs: what a campaign killed right after journaling leaves in Redis. */
class KeepingQueue extends BullmqQueue {
  override forget(): void {}
}

async function queueKeys(name: string): Promise<string[]> {
  const redis = connectRedis(SHARED_REDIS);
  try {
    return (await redis.keys(`${QUEUE_PREFIX}:${name}:*`))
      .map((k) => k.slice(`${QUEUE_PREFIX}:${name}:`.length))
      .sort();
  } finally {
    redis.disconnect();
  }
}

describe('run identity on BullMQ', () => {
  test("the same campaign name run again (other seed, other folder) trains its own trials, not the first run's results", async () => {
    const name = uniqueName('runid-stale');
    const spec: FakeSpec = { delayMs: [5, 40] };
    const redis = connectRedis(SHARED_REDIS);
    const first = new KeepingQueue({ campaign: name, connection: redis, attempts: 2, backoffMs: 50, reconcileMs: 300 });
    const workers = await startWorkers({ connection: redis, campaigns: [name], concurrency: 2, env: fakeEnv(spec) });
    try {
      const cfg1 = config(name, 1, 4);
      assert.deepEqual(journalEssence(await run(cfg1, first)), await reference(cfg1, spec));
      await first.close();
      assert.ok(
        (await queueKeys(name)).some((k) => k.startsWith(`${name}-0.`)),
        "the first run's finished jobs are still in Redis",
      );

      const cfg2 = config(name, 2, 4);
      const second = new BullmqQueue({
        campaign: name,
        connection: redis,
        attempts: 2,
        backoffMs: 50,
        reconcileMs: 300,
      });
      try {
        assert.deepEqual(
          journalEssence(await run(cfg2, second)),
          await reference(cfg2, spec),
          "every trial of the second run has its own graph's metrics",
        );
      } finally {
        await second.close();
      }
    } finally {
      await workers.close(true);
      redis.disconnect();
      await obliterate(SHARED_REDIS, name);
    }
  });

  test("a finished campaign leaves only the queue's bookkeeping keys in Redis (complete, failed-result and failed jobs alike)", async () => {
    const name = uniqueName('runid-keys');
    // Trial 1: a NaN loss (a completed job with a failed result); trial 2: thrown every attempt (a failed job).
    const spec: FakeSpec = { delayMs: [5, 40], nan: [1], throw: [2] };
    const redis = connectRedis(SHARED_REDIS);
    const queue = new BullmqQueue({ campaign: name, connection: redis, attempts: 2, backoffMs: 50, reconcileMs: 300 });
    const workers = await startWorkers({ connection: redis, campaigns: [name], concurrency: 2, env: fakeEnv(spec) });
    try {
      const cfg = config(name, 3, 5);
      const dir = await run(cfg, queue);
      await queue.close();
      assert.deepEqual(journalEssence(dir), await reference(cfg, spec));
      const keys = await queueKeys(name);
      const bookkeeping = new Set(['meta', 'id', 'events', 'stalled-check', 'marker']);
      assert.deepEqual(
        keys.filter((k) => !bookkeeping.has(k)),
        [],
        `keys left: ${keys.join(', ')}`,
      );
    } finally {
      await workers.close(true);
      redis.disconnect();
      await obliterate(SHARED_REDIS, name);
    }
  });
});
