// A successive-halving campaign (scheduler "asha") on the embedded queue with the in-process fake trainer:
// every rung's result is journaled, promotions follow the rule and happen at most once per rung, each
// promotion continues the checkpoint of the rung below, the controller is told each trial once (its first
// rung), the cost ledger adds up (baselines apart), trials.csv names each row's rung and steps, a steps
// budget stops it, and a campaign stopped at any point and resumed writes the journal an uninterrupted run
// writes. Plus the scheduler's campaign-file errors.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { type CampaignEnv, runCampaign } from '../../src/campaign/campaign.js';
import { CampaignConfigError, resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { type JournalEvent, readJournal } from '../../src/campaign/journal.js';
import { foldJournal } from '../../src/campaign/journal-state.js';
import { ledgerText } from '../../src/campaign/ledger.js';
import { bullmqJobId } from '../../src/campaign/queue/bullmq.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { topOfRung } from '../../src/campaign/scheduler/asha.js';
import { createFakeTrainer, type FakeSpec } from '../../src/testing/fake-trainer.js';
import { jobKey } from '../../src/trial/identity.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import { MAX_CHECKPOINT_BYTES, validateTrialJob } from '../../workers/trial-processor.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'pnas-asha-'));
}

const base = {
  name: 'asha',
  seed: 5,
  space: { name: 'nas-fpn', options: {} },
  controller: { kind: 'evolution', options: { populationSize: 4, sampleSize: 2 } },
  proxy: { steps: 90 },
  scheduler: { kind: 'asha', minSteps: 10, eta: 3 },
  budget: { trials: 14 },
  concurrency: 3,
  snapshotEvery: 4,
  retry: { attempts: 2, backoffMs: 1 },
};

function config(over: Record<string, unknown> = {}): ResolvedCampaign {
  return resolveCampaign({ ...base, ...over });
}

async function run(
  cfg: ResolvedCampaign,
  dir: string,
  resume = false,
  spec: FakeSpec = { delayMs: [0, 4] },
  crashAfter = Infinity,
) {
  const space = campaignSpace(cfg);
  let events = 0;
  const env: CampaignEnv = {
    space,
    createController: () => campaignController(cfg, space),
    queue: new EmbeddedQueue(inlineRunner(createFakeTrainer(spec)), {
      concurrency: cfg.concurrency,
      attempts: cfg.retry.attempts,
      backoffMs: cfg.retry.backoffMs,
    }),
    // A crash between two journaled events: what the folder holds then is what a killed process leaves.
    // (Training progress is reported from inside the trainer; a throw there would fail the trial instead.)
    onEvent: (ev) => {
      if (ev.type !== 'progress' && ++events > crashAfter) throw new Error('simulated crash');
    },
  };
  try {
    return await runCampaign(cfg, env, { dir, resume });
  } finally {
    await env.queue.close();
  }
}

/** What must not depend on timing: every dispatch and result, in journal order. */
function essence(events: JournalEvent[]): unknown[] {
  return events.flatMap((e): unknown[] => {
    switch (e.type) {
      case 'asked':
        return [{ asked: e.index, hash: e.hash }];
      case 'told':
        return [
          { told: e.index, rung: e.rung, status: e.status, metrics: e.metrics, reward: e.reward, steps: e.steps },
        ];
      case 'promoted':
        return [{ promoted: e.index, rung: e.rung, steps: e.steps }];
      case 'rung-told':
        return [{ rungTold: e.index, rung: e.rung, status: e.status, metrics: e.metrics, reward: e.reward }];
      default:
        return [];
    }
  });
}

describe('successive halving (asha) campaigns', () => {
  test('every rung result journaled; promotions by the rule, once per rung, from checkpoints; told once per trial', async () => {
    const dir = tmp();
    const cfg = config();
    assert.deepEqual(cfg.scheduler, { kind: 'asha', minSteps: 10, maxSteps: 90, eta: 3 });
    const s = await run(cfg, dir);
    assert.equal(s.reason, 'trials');
    const ev = readJournal(join(dir, 'journal.jsonl'));
    const told = ev.filter((e) => e.type === 'told');
    assert.deepEqual(
      told.map((e) => e.index),
      [...Array(14).keys()],
      'the controller is told each trial once, in ask order',
    );
    assert.ok(told.every((e) => e.rung === 0 && e.steps === 10));
    // Replay the journal against the rule: results per rung as they were journaled.
    const results: Array<Array<{ index: number; reward: number; complete: boolean }>> = [[], [], []];
    const promotedFrom: Array<Set<number>> = [new Set(), new Set(), new Set()];
    let promotions = 0;
    for (const e of ev) {
      if (e.type === 'told') results[0].push({ index: e.index, reward: e.reward, complete: e.status === 'complete' });
      if (e.type === 'rung-told') {
        assert.equal(e.status, 'complete', `rung ${e.rung} of trial ${e.index}: ${e.error}`); // the fake checks the checkpoint
        assert.equal(e.steps, [10, 30, 90][e.rung]);
        assert.equal(e.stepsTrained, [10, 20, 60][e.rung]);
        assert.equal(e.metrics!.stepsTrained, [10, 20, 60][e.rung], 'continued from the rung below, not from scratch');
        results[e.rung].push({ index: e.index, reward: e.reward, complete: true });
      }
      if (e.type === 'promoted') {
        promotions++;
        const from = e.rung - 1;
        assert.ok(!promotedFrom[from].has(e.index), `trial ${e.index} promoted twice out of rung ${from}`);
        assert.ok(
          topOfRung(results[from], 3).some((r) => r.index === e.index),
          `trial ${e.index} promoted out of rung ${from} without being in its top third`,
        );
        promotedFrom[from].add(e.index);
      }
    }
    assert.ok(promotions >= 4, `only ${promotions} promotions`);
    assert.equal(ev.filter((e) => e.type === 'rung-told').length, promotions, 'every promotion has its result');
    assert.ok(results[2].length >= 1, 'some trial reached the full run');
    // The records show the highest rung reached; the ledger adds up.
    const state = foldJournal(ev);
    const top = [...state.records.values()].filter((r) => r.rung === 2);
    assert.equal(top.length, results[2].length);
    const ledger = state.ledger.view();
    assert.equal(ledger.byRung['0'].steps, 14 * 10);
    assert.equal(ledger.byRung['1'].steps, results[1].length * 20);
    assert.equal(ledger.byRung['2']?.steps ?? 0, results[2].length * 60);
    assert.equal(ledger.steps, 140 + results[1].length * 20 + results[2].length * 60);
    assert.ok(!existsSync(join(dir, 'checkpoints')), 'checkpoints are removed when the campaign is over');
    rmSync(dir, { recursive: true, force: true });
  });

  test('trials.csv says the rung and steps of each row; the ledger has every training, baselines apart', async () => {
    const dir = tmp();
    const cfg = config({ baselines: ['fpn'] });
    await run(cfg, dir);
    const ev = readJournal(join(dir, 'journal.jsonl'));
    const [head, ...lines] = readFileSync(join(dir, 'trials.csv'), 'utf8').trim().split('\n');
    const cols = head.split(',');
    assert.deepEqual(cols.slice(-2), ['rung', 'steps'], 'the new columns come last');
    assert.equal(cols.indexOf('index'), 0);
    const rows = lines.map((l) => {
      const cells = l.split(',');
      return { index: Number(cells[0]), rung: cells[cols.indexOf('rung')], steps: cells[cols.indexOf('steps')] };
    });
    assert.equal(rows.length, 14, 'one row per trial; baselines are not trials');
    const reached = new Map<number, number>(rows.map((r) => [r.index, 0]));
    for (const e of ev) if (e.type === 'rung-told' && e.status === 'complete') reached.set(e.index, e.rung);
    assert.ok([...reached.values()].some((k) => k === 0) && [...reached.values()].some((k) => k > 0));
    for (const r of rows)
      assert.deepEqual([r.rung, r.steps], [String(reached.get(r.index)), String([10, 30, 90][reached.get(r.index)!])]);
    // The graph file's provenance names the same budget.
    const promoted = rows.find((r) => r.rung !== '0')!;
    const g = JSON.parse(readFileSync(join(dir, 'graphs', `asha-${promoted.index}.graph.json`), 'utf8'));
    assert.deepEqual([g.meta.proxy.rung, g.meta.proxy.steps], [Number(promoted.rung), Number(promoted.steps)]);
    // Every training: each trial's rung 0, each promotion's steps above its rung, and the baseline's full run.
    const trained = (e: JournalEvent): number =>
      e.type === 'told' ? e.steps! : e.type === 'rung-told' ? e.stepsTrained : 0;
    const search = ev.reduce((n, e) => n + trained(e), 0);
    const baselineTold = ev.filter((e) => e.type === 'baseline-told');
    assert.equal(baselineTold.length, 1);
    assert.equal(baselineTold[0].steps, 90, 'a baseline trains the full budget, the top rung');
    const ledger = foldJournal(ev).ledger.view();
    assert.equal(ledger.steps, search, 'the search’s own steps: what a steps budget counts');
    assert.deepEqual(ledger.baselines && { jobs: ledger.baselines.jobs, steps: ledger.baselines.steps }, {
      jobs: 1,
      steps: 90,
    });
    assert.equal(ledger.steps + ledger.baselines!.steps, search + 90, 'all trainings, baselines included');
    assert.match(
      ledgerText(ledger),
      new RegExp(`^${search.toLocaleString('en-US')} steps, .*; baselines: 90 steps, \\d+ CPU-s$`),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  test('a steps budget stops dispatching once the steps are committed', async () => {
    const dir = tmp();
    const cfg = config({ budget: { steps: 200 } });
    const s = await run(cfg, dir);
    assert.equal(s.reason, 'steps');
    const state = foldJournal(readJournal(join(dir, 'journal.jsonl')));
    assert.ok(state.ledger.steps >= 200, `${state.ledger.steps} steps`);
    // At most one concurrency's worth of jobs past the budget (each started while under it).
    assert.ok(state.ledger.steps < 200 + 3 * 60, `${state.ledger.steps} steps`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('stopped at any point and resumed, it writes the journal of an uninterrupted run', async () => {
    const cfg = config({ budget: { trials: 9 } });
    const full = tmp();
    await run(cfg, full);
    const want = essence(readJournal(join(full, 'journal.jsonl')));
    const total = want.length;
    rmSync(full, { recursive: true, force: true });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: total + 2 }), async (crashAfter) => {
        const dir = tmp();
        try {
          await run(cfg, dir, false, undefined, crashAfter).catch((err: Error) => {
            if (err.message !== 'simulated crash') throw err;
          });
          if (existsSync(join(dir, 'journal.jsonl'))) await run(cfg, dir, true);
          assert.deepEqual(essence(readJournal(join(dir, 'journal.jsonl'))), want, `crash after event ${crashAfter}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 12 },
    );
  });

  test('scheduler errors name their JSON path', () => {
    const issues = (over: Record<string, unknown>) => {
      try {
        config(over);
      } catch (err) {
        assert.ok(err instanceof CampaignConfigError);
        return err.issues.map((i) => `${i.path}: ${i.message}`);
      }
      assert.fail('accepted');
    };
    assert.match(
      issues({ scheduler: { kind: 'asha', minSteps: 90 } })[0],
      /^\$\.scheduler\.minSteps: 90 must be below maxSteps \(90\)/,
    );
    assert.match(
      issues({ scheduler: { kind: 'asha', minSteps: 10, maxSteps: 300 } })[0],
      /^\$\.scheduler\.maxSteps: 300 differs from \$\.proxy\.steps \(90\)/,
    );
    assert.match(
      issues({ proxy: { steps: 90, runs: 2 } })[0],
      /^\$\.proxy\.runs: 2: successive halving continues one training run/,
    );
    assert.match(issues({ scheduler: { kind: 'hyperband', minSteps: 10 } })[0], /^\$\.scheduler\.kind/);
    assert.match(issues({ budget: {} })[0], /^\$\.budget: give trials, wallSeconds, steps, or several of them/);
    // maxSteps alone sets the proxy's steps (the top rung is the full run).
    const c = config({ proxy: {}, scheduler: { kind: 'asha', minSteps: 50, maxSteps: 450 } });
    assert.equal(c.proxy.steps, 450);
    assert.equal(c.scheduler!.maxSteps, 450);
  });

  test('a promotion is a job of its own; its checkpoint has its own size limit; a bad rung is invalid', () => {
    assert.equal(jobKey({ trialId: 'c-3' }), 'c-3');
    assert.equal(jobKey({ trialId: 'c-3', rung: { rung: 0, steps: 150 } }), 'c-3');
    assert.equal(jobKey({ trialId: 'c-3', rung: { rung: 2, steps: 600 } }), 'c-3.r2');
    assert.equal(
      bullmqJobId({ trialId: 'c-3', runId: '0123456789ab', rung: { rung: 1, steps: 450 } }),
      'c-3.r1.0123456789ab',
    );
    const fpn = JSON.parse(readFileSync('search-spaces/zoo/fpn.graph.json', 'utf8')) as unknown;
    const job = { campaign: 'c', trialId: 'c-3', index: 3, graph: fpn, proxy: DEFAULT_PROXY_TASK };
    // A checkpoint over the 1 MB job limit is accepted: the limit is on the rest of the job.
    const big = { format: 'x', step: 150, data: 'A'.repeat(2_000_000) };
    assert.equal(validateTrialJob({ ...job, rung: { rung: 1, steps: 450, checkpoint: big } }).rung?.steps, 450);
    const huge = { format: 'x', step: 150, data: 'A'.repeat(MAX_CHECKPOINT_BYTES) };
    assert.throws(
      () => validateTrialJob({ ...job, rung: { rung: 1, steps: 450, checkpoint: huge } }),
      /\$\.rung\.checkpoint is \d+ bytes \(limit 64000000\)/,
    );
    assert.throws(() => validateTrialJob({ ...job, rung: { rung: -1, steps: 450 } }), /\$\.rung\.rung/);
    assert.throws(() => validateTrialJob({ ...job, rung: { rung: 1, steps: 450, extra: 1 } }), /\$\.rung/);
  });
});
