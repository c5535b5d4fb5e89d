// `evaluate` several trainings at once: a trial job scored on the test split (TrialJob.scoring) is validated
// strictly and has an identity of its own; an evaluation on a process pool of 2 journals the same records,
// and reports the same failures, as one trained one at a time in this process (the deterministic stand-in
// trainer); an error that is no training failure, or a stop, ends it with no trainer process left alive.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  baselineEntry,
  type EvalEntry,
  type EvaluationOptions,
  evaluationTask,
  graphEntries,
  mergeEntries,
  readJournal,
  runEvaluation,
} from '../../src/evaluate/index.js';
import { evaluationJob } from '../../src/evaluate/pooled.js';
import { evalTrainer } from '../../src/evaluate/trainer.js';
import { jobProxyHash, proxyHash } from '../../src/trial/identity.js';
import { resolveProxyTask } from '../../src/trial/proxy-task.js';
import { TRIAL_STATUS } from '../../src/trial/types.js';
import { PyramidNasError } from '../../src/util/errors.js';
import { loadTrainer } from '../../workers/trainers.js';
import { processTrial } from '../../workers/trial-processor.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-evaluate-jobs-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

async function entries(): Promise<EvalEntry[]> {
  const graphs = await graphEntries(['fpn'], process.cwd());
  const pafpn = await baselineEntry('pafpn', graphs[0].graph.levels, graphs[0].graph.channels, process.cwd());
  return mergeEntries(graphs, [pafpn]).entries;
}

const task = () => evaluationTask({ base: { steps: 10, heldoutImages: 16 }, budget: 2, seeds: 3, testImages: 8 });

const plan = async (out: string) => ({
  entries: await entries(),
  task: task(),
  full: { channels: 256, imageSize: 640 },
  out,
  title: 'test',
  request: {},
});

/** The stand-in trainer, its faults from `fake` (PYRAMID_NAS_FAKE), here and in the pool's children. */
const fakeEnv = (fake: Record<string, unknown> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PYRAMID_NAS_TRAINER: 'fake',
  PYRAMID_NAS_FAKE: JSON.stringify(fake),
});

// By its code: the stand-in's divergence in this process is its own error class, in a child's answer a TrainError.
const hooks = {
  isTrainingFailure: (err: unknown) => (err as { code?: unknown } | null)?.code === 'NAN_LOSS',
};

async function evaluateWith(out: string, env: NodeJS.ProcessEnv, options: EvaluationOptions = {}) {
  return runEvaluation(await plan(out), await evalTrainer(env), hooks, { ...options, env });
}

/** The journal's records as (key → metrics), in key order: what must not depend on the concurrency. */
function recordsOf(out: string) {
  return readJournal(join(out, 'evaluation.jsonl'))
    .map((r) => ({ key: `${r.name}:${r.seed}:${r.hash}:${r.task}`, metrics: r.metrics }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** The pids that started trainings (the stand-in's logDir), and whether any is still alive. */
function starters(logDir: string): number[] {
  if (!existsSync(logDir)) return [];
  const pids = readdirSync(logDir).flatMap((f) =>
    readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean).map(Number),
  );
  return [...new Set(pids)];
}
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a trial job scored on the test split', () => {
  const base = async () => {
    const [e] = await entries();
    return evaluationJob(e, 0, 1, task(), 'abcdef012345');
  };

  test('a bad scoring is answered invalid, naming the field', async () => {
    const trainer = await loadTrainer({ PYRAMID_NAS_TRAINER: 'fake' });
    const cases: Array<[unknown, RegExp]> = [
      [{ split: 'heldout', testImages: 8, firstRun: 0 }, /\$\.scoring\.split/],
      [{ split: 'test', testImages: 0, firstRun: 0 }, /\$\.scoring\.testImages/],
      [{ split: 'test', testImages: 8, firstRun: -1 }, /\$\.scoring\.firstRun/],
      [{ split: 'test', testImages: 8, firstRun: 0.5 }, /\$\.scoring\.firstRun/],
      [{ split: 'test', testImages: 8 }, /\$\.scoring\.firstRun/],
      [{ split: 'test', testImages: 8, firstRun: 0, runs: 2 }, /\$\.scoring.*runs|runs/],
      ['test', /\$\.scoring/],
    ];
    for (const [scoring, message] of cases) {
      const { proxyHash: _h, ...job } = await base();
      const r = await processTrial({ ...job, scoring }, { trainer });
      assert.equal(r.status, TRIAL_STATUS.invalid, JSON.stringify(scoring));
      assert.match(r.error!, message);
    }
    const { proxyHash: _h, ...job } = await base();
    const rung = await processTrial({ ...job, rung: { rung: 0, steps: 5 } }, { trainer });
    assert.equal(rung.status, TRIAL_STATUS.invalid);
    assert.match(rung.error!, /\$\.scoring: a successive-halving rung job/);
  });

  test('its identity covers the scoring: never the held-out trial of the same graph and task', async () => {
    const job = await base();
    const trainer = await loadTrainer({ PYRAMID_NAS_TRAINER: 'fake' });
    assert.notEqual(job.proxyHash, proxyHash(job.proxy));
    assert.equal(jobProxyHash({ proxy: job.proxy }), proxyHash(job.proxy));
    const ok = await processTrial(job, { trainer });
    assert.equal(ok.status, TRIAL_STATUS.complete);
    assert.equal(ok.proxyHash, job.proxyHash);
    // The same job with the held-out hash (or without its scoring) does not validate.
    const asHeldout = await processTrial({ ...job, proxyHash: proxyHash(job.proxy) }, { trainer });
    assert.equal(asHeldout.status, TRIAL_STATUS.invalid);
    assert.match(asHeldout.error!, /\$\.proxyHash: .* not the hash of \$\.proxy with \$\.scoring/);
    const { scoring: _s, ...unscored } = job;
    assert.equal((await processTrial(unscored, { trainer })).status, TRIAL_STATUS.invalid);
    // The child resolves the proxy as the parent did (the hash survives the trip).
    assert.equal(jobProxyHash({ ...job, proxy: resolveProxyTask(job.proxy) }), job.proxyHash);
  });

  test('the stand-in scores each seed as the in-process evaluation does', async () => {
    const job = await base();
    const inChild = await (await loadTrainer({ PYRAMID_NAS_TRAINER: 'fake' }))(job.graph, job.proxy, {}, job);
    const inProcess = await (
      await evalTrainer({ PYRAMID_NAS_TRAINER: 'fake' })
    )(job.graph, job.proxy, {}, job.scoring!);
    assert.deepEqual(inChild, inProcess);
    const seed2 = await (
      await loadTrainer({ PYRAMID_NAS_TRAINER: 'fake' })
    )(
      job.graph,
      job.proxy,
      {},
      {
        ...job,
        scoring: { ...job.scoring!, firstRun: 2 },
      },
    );
    assert.notEqual(seed2.AP, inChild.AP);
  });
});

describe('evaluate with concurrency 2 (a process pool)', () => {
  test('the same records as one at a time, trained by two processes at once', async () => {
    const one = join(root, 'one');
    const two = join(root, 'two');
    const logDir = join(root, 'two-starts');
    const r1 = await evaluateWith(one, fakeEnv({ delayMs: 100 }));
    const r2 = await evaluateWith(two, fakeEnv({ delayMs: 300, logDir }), { concurrency: 2 });
    assert.equal(r1.trained, 6);
    assert.equal(r2.trained, 6);
    assert.deepEqual(recordsOf(two), recordsOf(one));
    assert.equal(new Set(recordsOf(one).map((r) => r.metrics.AP)).size, 6, 'every (graph, seed) scores its own');
    const pids = starters(logDir);
    assert.equal(pids.length, 2, `trainer processes: ${pids.join(', ')}`);
    assert.ok(!pids.includes(process.pid));
    assert.ok(!pids.some(isAlive), 'the pool is closed');
    const json = (out: string) => JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8'));
    assert.deepEqual(json(two).entries, json(one).entries);
    // A rerun at concurrency 2 trains nothing (and starts no process).
    const again = await evaluateWith(two, fakeEnv({ logDir: join(root, 'again') }), { concurrency: 2 });
    assert.deepEqual([again.trained, again.skipped], [0, 6]);
    assert.deepEqual(starters(join(root, 'again')), []);
  });

  test('a diverged training is reported and not journaled, as one at a time', async () => {
    const nan = { nan: [1] }; // seed 1 of every graph
    const r1 = await evaluateWith(join(root, 'nan-one'), fakeEnv(nan));
    const r2 = await evaluateWith(join(root, 'nan-two'), fakeEnv(nan), { concurrency: 2 });
    // (The stand-in's message names its trial, which the pool names after the entry's place in the plan.)
    const failures = (r: typeof r1) =>
      r.failed.map((f) => `${f.name}:${f.seed}:${f.error.replace(/ of trial .*/, '')}`).sort();
    assert.equal(r1.failed.length, 2);
    assert.deepEqual(failures(r2), failures(r1));
    assert.match(r2.failed[0].error, /^loss became NaN/);
    assert.deepEqual(recordsOf(join(root, 'nan-two')), recordsOf(join(root, 'nan-one')));
  });

  test('a trainer process that dies stops the evaluation; no process is left', async () => {
    const out = join(root, 'crash');
    const logDir = join(root, 'crash-starts');
    await assert.rejects(
      evaluateWith(out, fakeEnv({ crash: [2], delayMs: 200, logDir }), { concurrency: 2 }),
      /pool worker \d+ exited \(code 70/,
    );
    const pids = starters(logDir);
    assert.ok(pids.length >= 1);
    assert.ok(!pids.some(isAlive), `alive: ${pids.filter(isAlive).join(', ')}`);
    // What finished is journaled; a rerun without the fault completes it.
    const done = readJournal(join(out, 'evaluation.jsonl')).length;
    assert.ok(done < 6);
    const r = await evaluateWith(out, fakeEnv(), { concurrency: 2 });
    assert.equal(r.trained, 6 - done);
    assert.deepEqual(recordsOf(out), recordsOf(join(root, 'one')));
  });

  test('a stop kills the trainings in flight and keeps what finished', async () => {
    const out = join(root, 'stop');
    const logDir = join(root, 'stop-starts');
    const stop = new AbortController();
    // Seed 2 never finishes: the stop comes while those trainings are in flight.
    const running = evaluateWith(out, fakeEnv({ hang: [2], logDir }), { concurrency: 2, signal: stop.signal });
    const deadline = Date.now() + 60_000;
    while (
      readdirSync(root).includes('stop-starts') === false ||
      !readdirSync(logDir).some((f) => /-2\.starts$/.test(f))
    )
      if (Date.now() > deadline) throw new Error('no training started');
      else await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await assert.rejects(running, (err: unknown) => err instanceof PyramidNasError && err.code === 'ABORTED');
    const pids = starters(logDir);
    assert.ok(!pids.some(isAlive), `alive: ${pids.filter(isAlive).join(', ')}`);
    const seeds = readJournal(join(out, 'evaluation.jsonl')).map((r) => r.seed);
    assert.ok(!seeds.includes(2));
  });

  test('a concurrency that is no positive integer is refused', async () => {
    for (const concurrency of [0, 1.5, Number.NaN])
      await assert.rejects(
        evaluateWith(join(root, 'bad'), fakeEnv(), { concurrency }),
        /concurrency must be an integer/,
      );
  });
});
