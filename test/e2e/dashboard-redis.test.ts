// `--redis`: the running trials of a campaign's BullMQ queue, with the progress its worker reports, read
// from a real Redis (CI starts one on 127.0.0.1:6379) — and read-only: watching a campaign whose queue
// does not exist creates no key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Queue, Worker } from 'bullmq';

import { type Dashboard, startDashboard } from '../../src/dashboard/index.js';
import { writeSyntheticCampaign } from '../../src/testing/synthetic-campaign.js';
import { connectRedis, QUEUE_PREFIX } from '../../src/util/redis-connection.js';
import { launchChromium } from './dashboard-chromium.js';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const suffix = `${process.pid}x${Date.now() % 1e6}`;
const busy = `dashq${suffix}`;
const idle = `dashidle${suffix}`;
const root = mkdtempSync(join(tmpdir(), 'dash-redis-'));
const conn = connectRedis(REDIS);
const workerConn = conn.duplicate();
let queue: Queue;
let worker: Worker;
let dash: Dashboard;
let release: () => void = () => {};

before(async () => {
  // Fail clearly (not hang: the connection retries forever) when there is no Redis; .ci/run starts one.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    conn.ping(),
    new Promise(
      (_r, reject) =>
        (timer = setTimeout(
          () => reject(new Error(`no Redis answered at ${REDIS} within 5 s (bash .ci/run starts one)`)),
          5000,
        )),
    ),
  ]).finally(() => clearTimeout(timer));
  writeSyntheticCampaign(join(root, busy), { name: busy, trials: 2, running: 1, writer: 'bulk' });
  writeSyntheticCampaign(join(root, idle), { name: idle, trials: 1, running: 1, writer: 'bulk' });
  queue = new Queue(busy, { connection: conn, prefix: QUEUE_PREFIX });
  const started = new Promise<void>((r) => {
    worker = new Worker(
      busy,
      async (job) => {
        await job.updateProgress({ step: 30, steps: 120, loss: 0.75, imagesPerSecond: 210 });
        r();
        await new Promise<void>((done) => (release = done));
        return { trialId: job.id, status: 'complete', wallSeconds: 1 };
      },
      { connection: workerConn, prefix: QUEUE_PREFIX, name: 'gpu-7' },
    );
  });
  await queue.add('trial', { trialId: `${busy}-2` }, { jobId: `${busy}-2` });
  await started;
  dash = await startDashboard({ dirs: [join(root, busy), join(root, idle)], port: 0, redis: REDIS, pollMs: 100 });
});

after(async () => {
  release();
  await dash?.close();
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  conn.disconnect();
  workerConn.disconnect();
  rmSync(root, { recursive: true, force: true });
});

type State = {
  redis: boolean;
  queues: Array<{
    key: string;
    ok: boolean;
    counts: Record<string, number>;
    active: Array<{ trialId: string; worker?: string; progress?: { step: number; steps: number; loss: number } }>;
  }>;
};

describe('dashboard --redis', () => {
  test('shows the active job with its training progress and worker', async () => {
    let state: State | undefined;
    const end = Date.now() + 10_000;
    for (;;) {
      state = (await (await fetch(dash.url + 'api/state')).json()) as State;
      if (state!.queues.find((q) => q.key === busy)?.active.length) break;
      if (Date.now() > end) throw new Error(`no active job seen in 10 s: ${JSON.stringify(state)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state!.redis, true);
    const v = state!.queues.find((q) => q.key === busy)!;
    assert.equal(v.ok, true);
    assert.equal(v.counts.active, 1);
    assert.equal(v.active[0].trialId, `${busy}-2`);
    assert.deepEqual(v.active[0].progress, { step: 30, steps: 120, loss: 0.75, imagesPerSecond: 210 });
    assert.match(v.active[0].worker ?? '', /gpu-7/);
  });

  test('the page shows the running trial with its progress bar, loss and worker', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(dash.url);
      const row = page.locator(`#running tr[data-trial="${busy}-2"]`);
      await row.locator('.progress').waitFor({ timeout: 10_000 });
      const cells = await row.locator('td').allTextContents();
      assert.equal(cells[1], `${busy}-2`);
      assert.match(cells[2], /gpu-7/);
      assert.equal(cells[3].trim(), '30/120');
      assert.equal(cells[4], '0.7500');
      assert.equal(await row.locator('.progress > i').getAttribute('style'), 'width: 25%;');
    } finally {
      await browser.close();
    }
  });

  test('read-only: a campaign without a queue gets no key created', async () => {
    await new Promise((r) => setTimeout(r, 300)); // a few polls of the idle campaign
    const keys = await conn.keys(`${QUEUE_PREFIX}:${idle}:*`);
    assert.deepEqual(keys, []);
    const state = (await (await fetch(dash.url + 'api/state')).json()) as State;
    const v = state.queues.find((q) => q.key === idle);
    assert.ok(v, 'the idle campaign has a view');
    assert.equal(v.ok, true);
    assert.deepEqual(v.active, []);
  });
});
