// Baselines and seed graphs on both real queues (the embedded process pool, and BullMQ on 127.0.0.1:6379
// with in-process workers running trial processes): the baselines' jobs pass the worker's checks like any
// trial, and the journal (seeds, trials, baseline results) equals an in-process run's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { type JournalEvent, readJournal } from '../../src/campaign/journal.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import type { TrialQueue } from '../../src/campaign/queue/types.js';
import { createFakeTrainer, type FakeSpec } from '../../src/testing/fake-trainer.js';
import { connectRedis } from '../../src/util/redis-connection.js';
import { startWorkers } from '../../workers/bullmq-worker.js';
import { ProcessPool } from '../../workers/process-pool.js';
import { obliterate, SHARED_REDIS, uniqueName } from './campaign-helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const RETRY = { attempts: 2, backoffMs: 50 };
const spec: FakeSpec = { delayMs: [5, 60] };
const fakeEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  PYRAMID_NAS_TRAINER: 'fake',
  PYRAMID_NAS_FAKE: JSON.stringify(spec),
});

const backends: Record<string, (campaign: string) => Promise<{ queue: TrialQueue; dispose(): Promise<void> }>> = {
  async embedded() {
    const queue = new EmbeddedQueue(new ProcessPool({ size: 2, env: fakeEnv() }), { concurrency: 2, ...RETRY });
    return { queue, dispose: () => queue.close() };
  },
  async bullmq(campaign) {
    const redis = connectRedis(SHARED_REDIS);
    const queue = new BullmqQueue({ campaign, connection: redis, ...RETRY, reconcileMs: 300 });
    const workers = await startWorkers({ connection: redis, campaigns: [campaign], concurrency: 2, env: fakeEnv() });
    return {
      queue,
      async dispose() {
        await workers.close(true);
        await queue.close();
        redis.disconnect();
        await obliterate(SHARED_REDIS, campaign);
      },
    };
  },
};

function essence(events: JournalEvent[]): unknown {
  return {
    seeds: events[0].type === 'campaign-started' ? events[0].seeds : undefined,
    trials: events.flatMap((e): unknown[] =>
      e.type === 'asked' ? [e.hash] : e.type === 'told' ? [{ told: e.index, status: e.status, reward: e.reward }] : [],
    ),
    baselines: events
      .flatMap((e) => (e.type === 'baseline-told' ? [{ name: e.name, status: e.status, metrics: e.metrics }] : []))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

describe('baselines and seed graphs on the real queues', () => {
  for (const [kind, make] of Object.entries(backends)) {
    test(`${kind}: the journal equals an in-process run's`, async () => {
      const name = uniqueName(`base-${kind}`);
      const cfg = resolveCampaign({
        name,
        seed: 4,
        space: { name: 'nas-fpn' },
        controller: { kind: 'pareto-evolution', options: { populationSize: 3, sampleSize: 2 } },
        budget: { trials: 5 },
        concurrency: 2,
        retry: RETRY,
        baselines: ['fpn', 'bifpn'],
        seedGraphs: ['zoo:nas-fpn'],
      });
      const space = campaignSpace(cfg);
      const [ref, dir] = [mkdtempSync(join(tmpdir(), 'pnas-bq-')), mkdtempSync(join(tmpdir(), 'pnas-bq-'))];
      dirs.push(ref, dir);
      const inline = new EmbeddedQueue(inlineRunner(createFakeTrainer(spec)), { concurrency: 2, ...RETRY });
      await runCampaign(
        cfg,
        { space, createController: () => campaignController(cfg, space), queue: inline },
        { dir: ref, resume: false },
      );
      await inline.close();
      const b = await make(name);
      try {
        const s = await runCampaign(
          cfg,
          { space, createController: () => campaignController(cfg, space), queue: b.queue },
          { dir, resume: false },
        );
        assert.deepEqual(
          s.baselines.map((x) => [x.name, x.status]),
          [
            ['fpn', 'complete'],
            ['bifpn', 'complete'],
          ],
        );
      } finally {
        await b.dispose();
      }
      assert.deepEqual(
        essence(readJournal(join(dir, 'journal.jsonl'))),
        essence(readJournal(join(ref, 'journal.jsonl'))),
      );
    });
  }
});
