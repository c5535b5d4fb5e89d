// The process pool's child lifecycle with real child processes and the fake trainer: a child poisoned by
// an engine error is replaced (not reused for the next trials), children are recycled after
// maxTrialsPerChild trials and when their memory after a trial is over maxChildRssMB, an overdue trial's
// child is killed and the trial answered TIMEOUT (once, not retried), a cancelled trial's child is
// killed, and a job over the resource limits never reaches a child. Which child ran a trial is read from
// the result's `worker` (`<hostname>:<child pid>` in a pool without a worker name) and from the fake's
// per-trial start log.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { fakeMetrics, type FakeSpec } from '../../src/testing/fake-trainer.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import { TRIAL_STATUS, type TrialJob, type TrialResult } from '../../src/trial/types.js';
import { DEFAULT_JOB_LIMITS } from '../../workers/job-limits.js';
import {
  ProcessPool,
  type ProcessPoolOptions,
  type RetireInfo,
  TrialCancelledError,
} from '../../workers/process-pool.js';
import { waitFor } from './campaign-helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pnas-pool-'));
  dirs.push(d);
  return d;
}

const space = getSpace('nas-fpn', {});
const rng = createRng(5);
const graphs = Array.from({ length: 6 }, () => space.decode(space.sample(rng)));
const job = (i: number, over: Partial<TrialJob> = {}): TrialJob => ({
  campaign: 'pool',
  trialId: `pool-${i}`,
  index: i,
  graph: graphs[i],
  proxy: { ...DEFAULT_PROXY_TASK },
  ...over,
});
const fakeEnv = (spec: FakeSpec): NodeJS.ProcessEnv => ({
  ...process.env,
  PYRAMID_NAS_TRAINER: 'fake',
  PYRAMID_NAS_FAKE: JSON.stringify(spec),
});
const pidOf = (r: TrialResult) => Number(r.worker!.split(':').pop());
const starts = (logDir: string, i: number) =>
  readFileSync(join(logDir, `pool-${i}.starts`), 'utf8')
    .trim()
    .split('\n')
    .map(Number);

function pool(spec: FakeSpec, over: Partial<ProcessPoolOptions> = {}): { pool: ProcessPool; retired: RetireInfo[] } {
  const retired: RetireInfo[] = [];
  return { pool: new ProcessPool({ size: 1, env: fakeEnv(spec), onRetire: (r) => retired.push(r), ...over }), retired };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Fails after `ms` instead of letting a hung trial hang the test file. */
function within<T>(what: string, p: Promise<T>, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>(
      (_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

describe('process pool child lifecycle', () => {
  test('a child poisoned by an engine error is replaced: the trials after it complete on a fresh child', async () => {
    const logDir = tmp();
    const { pool: p, retired } = pool({ engineError: [0], logDir });
    try {
      await assert.rejects(
        p.run(job(0)),
        (e: Error) => e.name === 'RuntimeError' && /memory access out of bounds/.test(e.message),
      );
      const results: TrialResult[] = [];
      for (const i of [1, 2, 3]) results.push(await p.run(job(i)));
      results.forEach((r, k) => {
        assert.equal(r.status, 'complete', `trial ${k + 1}: ${r.error}`);
        assert.deepEqual(r.metrics, fakeMetrics(graphs[k + 1], 0));
      });
      const poisoned = starts(logDir, 0)[0];
      assert.ok(
        results.every((r) => pidOf(r) !== poisoned),
        'no later trial ran in the poisoned child',
      );
      assert.deepEqual(
        retired.map((r) => [r.pid, r.reason, r.trialId]),
        [[poisoned, 'engine-error', 'pool-0']],
      );
    } finally {
      await p.close();
    }
  });

  test('through the embedded queue, a poisoned child costs only its own trial (retried on fresh children)', async () => {
    const logDir = tmp();
    const { pool: p } = pool({ engineError: [0], logDir }, { size: 1 });
    const queue = new EmbeddedQueue(p, { concurrency: 1, attempts: 2, backoffMs: 10 });
    try {
      const got: TrialResult[] = [];
      queue.onResult((r) => got.push(r));
      for (const i of [0, 1, 2, 3]) await queue.submit(job(i));
      await waitFor('4 results', () => got.length === 4, 30_000);
      const by = new Map(got.map((r) => [r.trialId, r]));
      assert.equal(by.get('pool-0')!.status, 'failed');
      assert.match(by.get('pool-0')!.error!, /memory access out of bounds \(after 2 attempts\)/);
      for (const i of [1, 2, 3]) assert.equal(by.get(`pool-${i}`)!.status, 'complete', by.get(`pool-${i}`)!.error);
      const [first, second] = starts(logDir, 0);
      assert.notEqual(first, second, 'the retry ran on a fresh child');
      assert.equal(p.stats.retired['engine-error'], 2);
    } finally {
      await queue.close();
    }
  });

  test('children are recycled after maxTrialsPerChild trials', async () => {
    const { pool: p, retired } = pool({}, { maxTrialsPerChild: 2 });
    try {
      const pids: number[] = [];
      for (const i of [0, 1, 2, 3, 4]) pids.push(pidOf(await p.run(job(i))));
      assert.equal(pids[0], pids[1]);
      assert.equal(pids[2], pids[3]);
      assert.equal(new Set([pids[0], pids[2], pids[4]]).size, 3, `pids ${pids}`);
      assert.deepEqual(
        retired.map((r) => [r.reason, r.trials]),
        [
          ['max-trials', 2],
          ['max-trials', 2],
        ],
      );
    } finally {
      await p.close();
    }
  });

  test('a child whose resident memory after a trial is over maxChildRssMB is recycled', async () => {
    // The fake child's own footprint, measured: a pool that retires on any memory reports it.
    const probe = pool({}, { maxChildRssMB: 1 });
    await probe.pool.run(job(0));
    await probe.pool.close();
    const base = probe.retired[0].rssMB!;
    assert.ok(base > 1, `baseline ${base} MB`);

    // Each trial keeps 128 MB more: under the limit after the first trial, over it after the second.
    const { pool: p, retired } = pool({ rssMB: 128 }, { maxChildRssMB: base + 192 });
    try {
      const pids: number[] = [];
      for (const i of [0, 1, 2]) pids.push(pidOf(await p.run(job(i))));
      assert.equal(pids[0], pids[1], `kept after one trial (pids ${pids})`);
      assert.notEqual(pids[1], pids[2], 'replaced after the second');
      assert.equal(retired.length, 1);
      assert.equal(retired[0].reason, 'max-rss');
      assert.equal(retired[0].trials, 2);
      assert.ok(retired[0].rssMB! > base + 192, `${retired[0].rssMB} MB reported`);
    } finally {
      await p.close();
    }
  });

  test('an overdue trial has its child killed and is answered failed with TIMEOUT, once (not retried)', async () => {
    const logDir = tmp();
    const { pool: p, retired } = pool({ hang: [0], logDir });
    const queue = new EmbeddedQueue(p, { concurrency: 1, attempts: 3, backoffMs: 10 });
    try {
      const got: TrialResult[] = [];
      queue.onResult((r) => got.push(r));
      await queue.submit(job(0, { timeoutSeconds: 0.5 }));
      await queue.submit(job(1, { timeoutSeconds: 30 }));
      await waitFor('2 results', () => got.length === 2, 30_000);
      const [t0, t1] = [got.find((r) => r.trialId === 'pool-0')!, got.find((r) => r.trialId === 'pool-1')!];
      assert.equal(t0.status, 'failed');
      assert.match(t0.error!, /^TIMEOUT: trial pool-0 ran longer than its limit of 0\.5 s/);
      // Timers may fire a fraction of a millisecond early against performance.now().
      assert.ok(t0.wallSeconds >= 0.49, `wallSeconds ${t0.wallSeconds}`);
      assert.equal(t1.status, 'complete');
      assert.deepEqual(starts(logDir, 0).length, 1, 'the timed-out trial was started once');
      const killed = starts(logDir, 0)[0];
      assert.equal(pidOf(t0), killed);
      assert.notEqual(pidOf(t1), killed, 'the next trial ran on a fresh child');
      await waitFor('the overdue child to exit', () => !alive(killed), 10_000);
      assert.deepEqual(
        retired.map((r) => r.reason),
        ['timeout'],
      );
    } finally {
      await queue.close();
    }
  });

  test('cancel() kills the child running a trial; its run rejects with TrialCancelledError', async () => {
    const logDir = tmp();
    const { pool: p, retired } = pool({ hang: [0], logDir });
    try {
      const running = p.run(job(0));
      await waitFor(
        'the trial to start',
        () => {
          try {
            return starts(logDir, 0).length === 1;
          } catch {
            return false;
          }
        },
        20_000,
      );
      p.cancel('pool-0');
      await within(
        'the cancelled run',
        assert.rejects(running, (e: unknown) => e instanceof TrialCancelledError),
      );
      const pid = starts(logDir, 0)[0];
      await waitFor('the cancelled child to exit', () => !alive(pid), 10_000);
      assert.deepEqual(
        retired.map((r) => r.reason),
        ['cancelled'],
      );
      assert.equal((await p.run(job(1))).status, 'complete');
    } finally {
      await p.close();
    }
  });

  test('a trial cancelled while it waits for a slot never starts', async () => {
    const logDir = tmp();
    const { pool: p } = pool({ hang: [0], logDir });
    try {
      const first = p.run(job(0));
      const second = p.run(job(1)); // waits: the pool has one slot
      p.cancel('pool-1');
      await waitFor('trial 0 to start', () => existsSync(join(logDir, 'pool-0.starts')), 20_000);
      p.cancel('pool-0');
      await within(
        'the cancelled runs',
        Promise.all([
          assert.rejects(first, (e: unknown) => e instanceof TrialCancelledError),
          assert.rejects(second, (e: unknown) => e instanceof TrialCancelledError),
        ]),
      );
      assert.equal(existsSync(join(logDir, 'pool-1.starts')), false, 'trial 1 never reached the trainer');
    } finally {
      await p.close();
    }
  });

  test('a job over the resource limits is answered invalid before any child starts; raised limits admit it', async () => {
    const oversized = { ...DEFAULT_PROXY_TASK, channels: 4096, imageSize: 1024, batchSize: 1024, maxRepeats: 16 };
    const { pool: p } = pool({});
    try {
      // Answered 'invalid' (not retried), as a result.
      const refused = await p.run(job(0, { proxy: oversized }));
      assert.equal(refused.status, TRIAL_STATUS.invalid);
      assert.equal(refused.trialId, 'pool-0');
      assert.match(
        refused.error!,
        /^invalid trial job: \$\.proxy\.imageSize is 1024, over the limit 256; .*pyramid-nas worker --limits/,
      );
      assert.equal(p.stats.spawned, 0);
    } finally {
      await p.close();
    }
    const raised = pool(
      {},
      { limits: { ...DEFAULT_JOB_LIMITS, channels: 4096, imageSize: 1024, batchSize: 1024, maxRepeats: 16 } },
    );
    try {
      assert.equal((await raised.pool.run(job(0, { proxy: oversized }))).status, 'complete');
    } finally {
      await raised.pool.close();
    }
  });
});
