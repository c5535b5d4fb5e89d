// Fault tests against real Redis: a worker killed with -9 mid-trial, the campaign process killed and
// resumed, and a Redis restart (a PRIVATE redis-server; the shared one is never stopped). Every loop is
// bounded; every queue is obliterated at the end. Each fault is checked to have hit a running campaign
// (fewer trials told than the budget when it struck), so no test can pass by faulting a finished one.
// Trial executions are counted from the fake trainer's start log (logDir), not from Redis, which may have
// lost or removed the jobs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { readJournal } from '../../src/campaign/journal.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { createFakeTrainer, type FakeSpec } from '../../src/testing/fake-trainer.js';
import { connectRedis } from '../../src/util/redis-connection.js';
import { startWorkers } from '../../workers/bullmq-worker.js';
import {
  assertJournalExtends,
  assertKilledMidRun,
  cli,
  countTold,
  freePort,
  journalAtKill,
  journalEssence,
  killGroup,
  obliterate,
  SHARED_REDIS,
  startPrivateRedis,
  startsPerTrial,
  stopProcess,
  uniqueName,
  waitFor,
} from './campaign-helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pnas-faults-'));
  dirs.push(d);
  return d;
}

const fakeEnv = (spec: FakeSpec): NodeJS.ProcessEnv => ({
  PYRAMID_NAS_TRAINER: 'fake',
  PYRAMID_NAS_FAKE: JSON.stringify(spec),
});

function config(name: string, trials: number, output?: string): ResolvedCampaign {
  return resolveCampaign({
    name,
    seed: 3,
    space: { name: 'nas-fpn' },
    controller: { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } },
    budget: { trials },
    concurrency: 2,
    retry: { attempts: 3, backoffMs: 100 },
    snapshotEvery: 3,
    ...(output ? { output } : {}),
  });
}

/** The uninterrupted reference: the same campaign with the in-process fake (its starts are not logged). */
async function reference(cfg: ResolvedCampaign, spec: FakeSpec): Promise<unknown[]> {
  const dir = tmp();
  const space = campaignSpace(cfg);
  const q = new EmbeddedQueue(inlineRunner(createFakeTrainer({ ...spec, logDir: undefined })), {
    concurrency: cfg.concurrency,
    attempts: 3,
    backoffMs: 1,
  });
  await runCampaign(
    cfg,
    { space, createController: () => campaignController(cfg, space), queue: q },
    { dir, resume: false },
  );
  await q.close();
  return journalEssence(dir);
}

function toldOnce(dir: string, n: number): void {
  const told = readJournal(join(dir, 'journal.jsonl'))
    .filter((e) => e.type === 'told')
    .map((e) => (e as { index: number }).index);
  assert.deepEqual(told, [...Array(n).keys()], 'every trial told exactly once, in order');
}

describe('campaign faults (BullMQ on Redis)', () => {
  test('kill -9 a worker mid-trial: another worker retries it (stalled detection); told exactly once', async () => {
    const name = uniqueName('fault-kill-worker');
    const logDir = join(tmp(), 'starts');
    const spec: FakeSpec = { delayMs: 1500, logDir };
    const cfg = config(name, 3);
    const args = [
      'worker',
      '--redis',
      SHARED_REDIS,
      '--campaign',
      name,
      '--lock-duration',
      '1000',
      '--stalled-interval',
      '500',
    ];
    const a = cli(args, fakeEnv(spec));
    let b: ReturnType<typeof cli> | undefined;
    const redis = connectRedis(SHARED_REDIS);
    const queue = new BullmqQueue({ campaign: name, connection: redis, attempts: 3, backoffMs: 100, reconcileMs: 300 });
    try {
      await waitFor('worker A ready', () => a.stderr().includes('worker ready'), 30_000);
      const dir = tmp();
      const space = campaignSpace(cfg);
      const run = runCampaign(
        cfg,
        { space, createController: () => campaignController(cfg, space), queue },
        { dir, resume: false },
      );
      // Only worker A runs yet: the first trial started is A's.
      await waitFor('worker A to start a trial', () => startsPerTrial(logDir).size > 0, 30_000);
      b = cli(args, fakeEnv(spec));
      await killGroup(a.child, 'SIGKILL');
      const atKill = journalAtKill(dir);
      const told = new Set(atKill.events.flatMap((e) => (e.type === 'told' ? [e.trialId] : [])));
      const runningAtKill = [...startsPerTrial(logDir).keys()].filter((id) => !told.has(id));
      assertKilledMidRun(atKill, 3, 'worker A killed');
      assert.ok(runningAtKill.length > 0, 'a trial was running when worker A was killed');
      const summary = await run;
      assert.equal(summary.stats.complete, 3);
      toldOnce(dir, 3);
      assert.match(b.stderr(), /trial finished/);
      // The trial A held ran a second time (stalled → retried by B); the others ran once.
      const starts = startsPerTrial(logDir);
      assert.ok(
        runningAtKill.some((id) => starts.get(id)! >= 2),
        `a trial running at the kill was started again (starts ${JSON.stringify([...starts])})`,
      );
      assert.equal(starts.size, 3, 'every trial ran');
    } finally {
      await killGroup(a.child, 'SIGKILL');
      if (b) await killGroup(b.child, 'SIGTERM');
      await queue.close();
      redis.disconnect();
      await obliterate(SHARED_REDIS, name);
    }
  });

  test('kill the campaign process mid-run: --resume re-attaches (no re-runs), loses nothing, tells each trial once', async () => {
    const name = uniqueName('fault-kill-campaign');
    const logDir = join(tmp(), 'starts');
    const spec: FakeSpec = { delayMs: [300, 800], logDir };
    const dir = join(tmp(), name);
    const cfg = config(name, 8, dir);
    const file = join(tmp(), 'c.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file,
      JSON.stringify({
        name,
        seed: 3,
        space: { name: 'nas-fpn' },
        controller: { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } },
        budget: { trials: 8 },
        concurrency: 2,
        retry: { attempts: 3, backoffMs: 100 },
        snapshotEvery: 3,
        output: dir,
      }),
    );
    const redis = connectRedis(SHARED_REDIS);
    const workers = await startWorkers({
      connection: redis,
      campaigns: [name],
      concurrency: 2,
      env: { ...process.env, ...fakeEnv(spec) },
    });
    try {
      const want = await reference(cfg, spec);
      const k = 1 + Math.floor(Math.random() * 5);
      const first = cli(['search', file, '--redis', SHARED_REDIS, '--json']);
      await waitFor(
        `${k} told events`,
        () => countTold(join(dir, 'journal.jsonl')) >= k || first.child.exitCode !== null,
        60_000,
        20,
      );
      await killGroup(first.child, 'SIGKILL');
      const atKill = journalAtKill(dir);
      const told = atKill.told;
      assertKilledMidRun(atKill, 8, `campaign killed at k=${k}`);
      await new Promise((r) => setTimeout(r, 800)); // in-flight trials finish while the campaign is down
      const second = cli(['search', '--resume', dir, '--redis', SHARED_REDIS, '--json']);
      const code = await second.exited;
      assert.equal(code, 0, `resume exited ${code} after a kill at ${told} told: ${second.stderr()}`);
      assertJournalExtends(atKill, dir, `killed after ${told} told`);
      assert.deepEqual(journalEssence(dir), want, `killed after ${told} told`);
      toldOnce(dir, 8);
      const starts = startsPerTrial(logDir);
      assert.deepEqual(
        [...Array(8).keys()].map((i) => starts.get(`${name}-${i}`)),
        Array(8).fill(1),
        'every trial ran exactly once',
      );
    } finally {
      await workers.close(true);
      redis.disconnect();
      await obliterate(SHARED_REDIS, name);
    }
  });

  test('Redis restarts mid-run (private server, data lost): campaign and workers reconnect and finish', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let server = await startPrivateRedis(port);
    const name = uniqueName('fault-redis-restart');
    const spec: FakeSpec = { delayMs: 300 };
    const cfg = config(name, 6);
    const campaignRedis = connectRedis(url);
    const workerRedis = connectRedis(url);
    campaignRedis.on('error', () => {});
    workerRedis.on('error', () => {});
    const queue = new BullmqQueue({
      campaign: name,
      connection: campaignRedis,
      attempts: 3,
      backoffMs: 100,
      reconcileMs: 300,
    });
    const workers = await startWorkers({
      connection: workerRedis,
      campaigns: [name],
      concurrency: 2,
      env: { ...process.env, ...fakeEnv(spec) },
    });
    try {
      const dir = tmp();
      const space = campaignSpace(cfg);
      const run = runCampaign(
        cfg,
        { space, createController: () => campaignController(cfg, space), queue },
        { dir, resume: false },
      );
      await waitFor('2 told', () => countTold(join(dir, 'journal.jsonl')) >= 2, 60_000, 20);
      await stopProcess(server, 'SIGKILL');
      // Read at once: with Redis gone no result can arrive, so this is the state the restart struck.
      assertKilledMidRun(journalAtKill(dir), 6, 'Redis killed');
      await new Promise((r) => setTimeout(r, 700));
      server = await startPrivateRedis(port);
      let timer: NodeJS.Timeout | undefined;
      const summary = await Promise.race([
        run,
        new Promise<never>(
          (_, rej) =>
            (timer = setTimeout(() => rej(new Error('campaign did not finish within 60 s of the restart')), 60_000)),
        ),
      ]);
      clearTimeout(timer);
      assert.equal(summary.stats.complete, 6);
      toldOnce(dir, 6);
      assert.deepEqual(journalEssence(dir), await reference(cfg, spec));
    } finally {
      await workers.close(true);
      await queue.close();
      campaignRedis.disconnect();
      workerRedis.disconnect();
      await stopProcess(server, 'SIGKILL');
    }
  });

  test('worker --all finds the campaign queue; SIGTERM lets the running trial finish, then exits 0', async () => {
    const name = uniqueName('fault-graceful');
    const logDir = join(tmp(), 'starts');
    const cfg = config(name, 1);
    const redis = connectRedis(SHARED_REDIS);
    const queue = new BullmqQueue({ campaign: name, connection: redis, attempts: 1, reconcileMs: 300 });
    const dir = tmp();
    const space = campaignSpace(cfg);
    const run = runCampaign(
      cfg,
      { space, createController: () => campaignController(cfg, space), queue },
      { dir, resume: false },
    );
    const w = cli(['worker', '--redis', SHARED_REDIS, '--all'], fakeEnv({ delayMs: 2000, logDir }));
    try {
      await waitFor('the worker to start the trial', () => startsPerTrial(logDir).has(`${name}-0`), 30_000);
      w.child.kill('SIGTERM');
      const summary = await run;
      assert.equal(summary.stats.complete, 1, 'the running trial finished instead of being dropped');
      assert.equal(await w.exited, 0);
      assert.match(w.stderr(), /SIGTERM: finishing running trials/);
      assert.equal(startsPerTrial(logDir).get(`${name}-0`), 1, 'the trial ran once');
    } finally {
      await killGroup(w.child, 'SIGKILL');
      await queue.close();
      redis.disconnect();
      await obliterate(SHARED_REDIS, name);
    }
  });
});
