// One conformance suite, run against both TrialQueue backends: the embedded process pool and BullMQ on
// the real Redis (127.0.0.1:6379) with in-process workers using the sandboxed processor. Same cases,
// same expectations: each trial delivered once, invalid payloads unrecoverable, NaN loss a failed result,
// transient errors retried with backoff, a crashed trial process retried, and a whole campaign giving
// the same journal as an in-process run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { readJournal } from '../../src/campaign/journal.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import type { TrialQueue } from '../../src/campaign/queue/types.js';
import { createFakeTrainer, fakeMetrics, type FakeSpec } from '../../src/testing/fake-trainer.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialJob, TrialResult } from '../../src/trial/types.js';
import { connectRedis } from '../../src/util/redis-connection.js';
import { startWorkers, type WorkerPool } from '../../workers/bullmq-worker.js';
import { ProcessPool } from '../../workers/process-pool.js';
import { journalEssence, obliterate, SHARED_REDIS, uniqueName, waitFor } from './campaign-helpers.js';

interface Backend {
  queue: TrialQueue;
  dispose(): Promise<void>;
}

const space = getSpace('nas-fpn', {});
const rng = createRng(11);
const graphs = Array.from({ length: 6 }, () => space.decode(space.sample(rng)));
const proxy = { ...DEFAULT_PROXY_TASK };
const job = (campaign: string, i: number): TrialJob => ({
  campaign,
  trialId: `${campaign}-${i}`,
  index: i,
  graph: graphs[i],
  proxy,
});
const RETRY = { attempts: 2, backoffMs: 50 };

const fakeEnv = (spec: FakeSpec): NodeJS.ProcessEnv => ({
  ...process.env,
  PYRAMID_NAS_TRAINER: 'fake',
  PYRAMID_NAS_FAKE: JSON.stringify(spec),
});

const backends: Record<string, (campaign: string, spec: FakeSpec) => Promise<Backend>> = {
  async embedded(_campaign, spec) {
    const queue = new EmbeddedQueue(new ProcessPool({ size: 2, env: fakeEnv(spec) }), { concurrency: 2, ...RETRY });
    return { queue, dispose: () => queue.close() };
  },
  async bullmq(campaign, spec) {
    const redis = connectRedis(SHARED_REDIS);
    const queue = new BullmqQueue({ campaign, connection: redis, ...RETRY, reconcileMs: 300 });
    const workers: WorkerPool = await startWorkers({
      connection: redis,
      campaigns: [campaign],
      concurrency: 2,
      env: fakeEnv(spec),
    });
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

async function collect(b: Backend, jobs: unknown[], expected: number, ms = 30_000): Promise<TrialResult[]> {
  const got: TrialResult[] = [];
  b.queue.onResult((r) => got.push(r));
  for (const j of jobs) await b.queue.submit(j as TrialJob);
  await waitFor(`${expected} results`, () => got.length >= expected, ms);
  await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up here
  return got.sort((a, c) => a.trialId.localeCompare(c.trialId));
}

for (const [kind, make] of Object.entries(backends)) {
  describe(`TrialQueue conformance: ${kind}`, () => {
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    /** Runs `cfg` in-process (the reference) and then on this queue; returns both output folders. */
    async function inProcessAndHere(cfg: ResolvedCampaign, spec: FakeSpec): Promise<{ ref: string; dir: string }> {
      const s = campaignSpace(cfg);
      const ref = mkdtempSync(join(tmpdir(), 'pnas-conf-'));
      const dir = mkdtempSync(join(tmpdir(), 'pnas-conf-'));
      dirs.push(ref, dir);
      const inline = new EmbeddedQueue(inlineRunner(createFakeTrainer(spec)), { concurrency: 2, ...RETRY });
      await runCampaign(
        cfg,
        { space: s, createController: () => campaignController(cfg, s), queue: inline },
        { dir: ref, resume: false },
      );
      await inline.close();
      const b = await make(cfg.name, spec);
      try {
        await runCampaign(
          cfg,
          { space: s, createController: () => campaignController(cfg, s), queue: b.queue },
          { dir, resume: false },
        );
      } finally {
        await b.dispose();
      }
      return { ref, dir };
    }

    test("each trial is delivered once, with the processor's result, even when submitted twice", async () => {
      const name = uniqueName(`conf-${kind}`);
      const b = await make(name, { delayMs: [10, 60] });
      try {
        const jobs = [0, 1, 2, 3].map((i) => job(name, i));
        const got = await collect(b, [...jobs, jobs[1], jobs[2]], 4);
        assert.deepEqual(
          got.map((r) => r.trialId),
          jobs.map((j) => j.trialId),
        );
        got.forEach((r, i) => {
          assert.equal(r.status, 'complete');
          assert.deepEqual(r.metrics, fakeMetrics(graphs[i], proxy.seed));
        });
        assert.equal(b.queue.inFlight, 0);
      } finally {
        await b.dispose();
      }
    });

    test('a malformed or malicious payload is invalid (not retried) and the worker keeps running', async () => {
      const name = uniqueName(`conf-${kind}`);
      const b = await make(name, {});
      try {
        const bad = {
          ...job(name, 0),
          graph: { ...graphs[0], nodes: 'DROP TABLE' },
          proxy: { ...proxy, imageSize: 1e9 },
        };
        const got = await collect(b, [bad, job(name, 1)], 2);
        assert.equal(got[0].status, 'invalid');
        assert.match(got[0].error!, /^invalid trial job: .*\$\.proxy\.imageSize/);
        assert.doesNotMatch(got[0].error!, /attempts/);
        assert.equal(got[1].status, 'complete');
      } finally {
        await b.dispose();
      }
    });

    test('NaN loss is a failed result with its error; a thrower is retried, then failed', async () => {
      const name = uniqueName(`conf-${kind}`);
      const b = await make(name, { nan: [0], throw: [1] });
      try {
        const got = await collect(b, [job(name, 0), job(name, 1), job(name, 2)], 3);
        assert.equal(got[0].status, 'failed');
        assert.match(got[0].error!, /^NAN_LOSS: loss became NaN/);
        assert.equal(got[1].status, 'failed');
        assert.match(got[1].error!, /fake transient failure.*after 2 attempts/);
        assert.equal(got[2].status, 'complete');
      } finally {
        await b.dispose();
      }
    });

    test("the status is data: a transient error whose message reads like an invalid job's is retried, then failed", async () => {
      const name = uniqueName(`conf-${kind}`);
      const b = await make(name, { throw: [0], throwMessage: 'invalid trial job: only the message says so' });
      try {
        const got = await collect(b, [job(name, 0)], 1);
        assert.equal(got[0].status, 'failed');
        assert.match(got[0].error!, /^invalid trial job: only the message says so.*after 2 attempts/);
      } finally {
        await b.dispose();
      }
    });

    test('a trial process that dies mid-trial is retried and completes', async () => {
      const name = uniqueName(`conf-${kind}`);
      const marks = mkdtempSync(join(tmpdir(), 'pnas-crash-'));
      dirs.push(marks);
      const b = await make(name, { crash: [1], crashOnceDir: marks, delayMs: 20 });
      try {
        const got = await collect(b, [job(name, 0), job(name, 1)], 2);
        assert.deepEqual(
          got.map((r) => r.status),
          ['complete', 'complete'],
        );
        assert.deepEqual(got[1].metrics, fakeMetrics(graphs[1], proxy.seed));
      } finally {
        await b.dispose();
      }
    });

    test('a whole campaign on this queue writes the same journal as an in-process run', async () => {
      const name = uniqueName(`conf-${kind}`);
      const spec: FakeSpec = { delayMs: [5, 80], nan: [3] };
      const cfg = resolveCampaign({
        name,
        seed: 5,
        space: { name: 'nas-fpn' },
        controller: { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } },
        budget: { trials: 7 },
        concurrency: 2,
        retry: RETRY,
        snapshotEvery: 4,
      });
      const { ref, dir } = await inProcessAndHere(cfg, spec);
      assert.deepEqual(journalEssence(dir), journalEssence(ref));
    });

    test('a successive-halving campaign: checkpoints travel with results and promotions, the same journal as in-process', async () => {
      const name = uniqueName(`asha-${kind}`);
      const spec: FakeSpec = { delayMs: [5, 40] };
      const cfg = resolveCampaign({
        name,
        seed: 3,
        space: { name: 'nas-fpn' },
        controller: { kind: 'random' },
        proxy: { steps: 90 },
        scheduler: { kind: 'asha', minSteps: 10, eta: 3 },
        budget: { trials: 9 },
        concurrency: 2,
        retry: RETRY,
      });
      const { ref, dir } = await inProcessAndHere(cfg, spec);
      // Dispatches and results in journal order; a promotion's result names the steps it trained (the fake
      // refuses a checkpoint that is not its rung's), so equal journals mean every checkpoint arrived.
      const rungEssence = (d: string) =>
        readJournal(join(d, 'journal.jsonl')).flatMap((e): unknown[] =>
          e.type === 'promoted'
            ? [{ promoted: e.index, rung: e.rung }]
            : e.type === 'rung-told'
              ? [{ rungTold: e.index, rung: e.rung, status: e.status, metrics: e.metrics }]
              : e.type === 'told'
                ? [{ told: e.index, status: e.status, metrics: e.metrics }]
                : [],
        );
      const got = rungEssence(dir);
      assert.ok(
        got.some((e) => (e as { rungTold?: number }).rungTold !== undefined),
        'no promotion ran',
      );
      assert.deepEqual(got, rungEssence(ref));
    });
  });
}
