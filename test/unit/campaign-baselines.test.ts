// Baselines and warm start in a campaign (embedded queue, in-process fake trainer): baselines are trained
// with the campaign's proxy task, journaled as baselines, never told to the controller nor counted as
// trials, shown by status and pareto.json; seed graphs are the first proposals; and both survive a resume
// from a journal cut after every event exactly (a told baseline is never trained again).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { BASELINE_INDEX_BASE } from '../../src/campaign/baselines.js';
import { type CampaignEnv, runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaignInputs } from '../../src/campaign/campaign-inputs.js';
import {
  CampaignConfigError,
  loadCampaignFile,
  resolveCampaign,
  type ResolvedCampaign,
} from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { type JournalEvent, readJournal } from '../../src/campaign/journal.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { resolveSeedGraphs } from '../../src/campaign/seed-graphs.js';
import { statusText } from '../../src/cli/commands/status.js';
import { CampaignState } from '../../src/dashboard/state.js';
import { graphHash } from '../../src/graph/canonical.js';
import { createFakeTrainer, type FakeSpec } from '../../src/testing/fake-trainer.js';
import type { TrialJob } from '../../src/trial/types.js';
import { exitCodeOf } from '../../src/util/errors.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pnas-baselines-'));
  dirs.push(d);
  return d;
}

function config(over: Record<string, unknown> = {}): ResolvedCampaign {
  return resolveCampaign({
    name: 'base',
    seed: 3,
    space: { name: 'nas-fpn', options: {} },
    controller: { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } },
    budget: { trials: 6 },
    concurrency: 2,
    snapshotEvery: 3,
    retry: { attempts: 2, backoffMs: 1 },
    baselines: ['fpn', 'pafpn'],
    seedGraphs: ['zoo:nas-fpn'],
    ...over,
  });
}

/** Runs a campaign; `jobs` collects every job the queue was given (trials and baselines). */
async function run(cfg: ResolvedCampaign, dir: string, resume = false, spec: FakeSpec = { delayMs: [0, 4] }) {
  const space = campaignSpace(cfg);
  const queue = new EmbeddedQueue(inlineRunner(createFakeTrainer(spec)), {
    concurrency: cfg.concurrency,
    attempts: cfg.retry.attempts,
    backoffMs: cfg.retry.backoffMs,
  });
  const jobs: TrialJob[] = [];
  const submit = queue.submit.bind(queue);
  queue.submit = (job) => (jobs.push(job), submit(job));
  const reattach = queue.reattach.bind(queue);
  queue.reattach = (js) => (jobs.push(...js), reattach(js));
  const env: CampaignEnv = { space, createController: () => campaignController(cfg, space), queue };
  try {
    return { summary: await runCampaign(cfg, env, { dir, resume }), jobs };
  } finally {
    await queue.close();
  }
}

/** Proposals, results and baseline results: what must not depend on timing (baselines by name). */
function essence(events: JournalEvent[]): unknown {
  const trials = events.flatMap((e): unknown[] =>
    e.type === 'asked'
      ? [{ asked: e.index, decisions: e.decisions, hash: e.hash }]
      : e.type === 'told'
        ? [{ told: e.index, status: e.status, metrics: e.metrics, reward: e.reward }]
        : [],
  );
  const baselines = events
    .flatMap((e) => (e.type === 'baseline-told' ? [{ name: e.name, status: e.status, metrics: e.metrics }] : []))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { trials, baselines, seeds: events[0].type === 'campaign-started' ? events[0].seeds : undefined };
}

describe('baselines and seed graphs in a campaign', () => {
  test('baselines are trained, journaled and shown, never told to the controller or counted as trials', async () => {
    const dir = tmp();
    const cfg = config();
    const { summary, jobs } = await run(cfg, dir);
    assert.equal(summary.stats.told, 6);
    assert.equal(summary.stats.asked, 6);
    const ev = readJournal(join(dir, 'journal.jsonl'));
    const asked = ev.filter((e) => e.type === 'baseline-asked');
    const told = ev.filter((e) => e.type === 'baseline-told');
    assert.deepEqual(
      asked.map((e) => e.name),
      ['fpn', 'pafpn'],
    );
    assert.equal(told.length, 2);
    assert.ok(told.every((e) => e.status === 'complete'));
    // Trials are 0..5 in order; the baselines' indices are from BASELINE_INDEX_BASE, queued first.
    assert.deepEqual(
      ev.filter((e) => e.type === 'asked').map((e) => e.index),
      [0, 1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      jobs.slice(0, 2).map((j) => j.index),
      [BASELINE_INDEX_BASE, BASELINE_INDEX_BASE + 1],
    );
    // Projected onto the space's levels (P3–P7 for the default nas-fpn space: fpn covers P3–P7 already).
    for (const j of jobs.slice(0, 2)) assert.equal(graphHash(j.graph), j.graphHash);
    assert.deepEqual(
      summary.baselines.map((b) => b.name),
      ['fpn', 'pafpn'],
    );
    const status = statusText(dir);
    assert.match(status, /^base\s+fpn \(baseline\)\s+complete/m);
    assert.match(status, /^baseline fpn: AP \d\.\d{4}, [\d.]+ MMACs \(best [+−]\d+\.\d (over|under) fpn\)$/m);
    const pareto = JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8'));
    assert.deepEqual(
      pareto.baselines.map((b: { name: string }) => b.name),
      ['fpn', 'pafpn'],
    );
    assert.ok(pareto.hypervolume.apVsMacs.value > 0);
    // The dashboard's header carries the completed baselines (the plots' reference marks).
    const page = new CampaignState('k', dir);
    page.apply(ev);
    assert.deepEqual(
      page.header().baselines.map((b) => [b.name, b.AP]),
      summary.baselines.map((b) => [b.name, b.metrics!.AP]),
    );
    assert.equal(page.allRows().length, 6); // baselines are not trial rows
    assert.equal(pareto.hypervolume.apVsMacs.reference.AP, 0);
  });

  test('seed graphs are the first proposals, and evolution is told them like any trial', async () => {
    const dir = tmp();
    const cfg = config({ baselines: undefined });
    const space = campaignSpace(cfg);
    const [seed] = await resolveSeedGraphs(cfg, space);
    await run(cfg, dir);
    const ev = readJournal(join(dir, 'journal.jsonl'));
    const first = ev.find((e) => e.type === 'asked');
    assert.ok(first?.type === 'asked');
    assert.deepEqual(first.decisions, seed.decisions);
    assert.equal(first.hash, seed.hash);
    assert.ok(ev.some((e) => e.type === 'told' && e.index === 0));
    const snap = ev.findLast((e) => e.type === 'controller-snapshot');
    assert.ok(snap?.type === 'controller-snapshot');
    assert.equal((snap.state as unknown as { toldCount: number }).toldCount >= 1, true);
  });

  test('a seed that is not a point of the space: exit 2, naming it and why', async () => {
    const cfg = config({ seedGraphs: ['fpn', 'zoo:nas-fpn', 'no-such-graph'] });
    const err = await resolveSeedGraphs(cfg, campaignSpace(cfg)).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CampaignConfigError);
    assert.equal(exitCodeOf(err), 2);
    assert.deepEqual(
      err.issues.map((i) => i.path),
      ['$.seedGraphs[0]', '$.seedGraphs[2]'],
    );
    assert.match(err.issues[0].message, /"fpn" is not a point of the nas-fpn space: it has \d+ nodes/);
    assert.match(err.issues[1].message, /no zoo graph "no-such-graph"/);
  });

  test('the example campaigns resolve their baselines and seeds', async () => {
    for (const file of ['example.campaign.json', 'pareto.campaign.json']) {
      const cfg = loadCampaignFile(join('src/campaign/examples', file));
      const space = campaignSpace(cfg);
      const inputs = await resolveCampaignInputs(cfg, space, file, await campaignController(cfg, space), false);
      assert.ok(
        inputs.baselines!.some((b) => b.name === 'fpn'),
        file,
      );
      assert.equal(inputs.seedGraphs!.length, cfg.seedGraphs?.length ?? 0, file);
    }
  });

  test('a listed-twice graph and a seed over the constraints are refused', async () => {
    assert.throws(
      () => config({ baselines: ['fpn', 'fpn'] }),
      (e: CampaignConfigError) => e.issues.some((i) => i.path === '$.baselines[1]' && /listed twice/.test(i.message)),
    );
    const cfg = config({ constraints: { maxMacs: 1000 } });
    await assert.rejects(
      resolveSeedGraphs(cfg, campaignSpace(cfg)),
      /seedGraphs\[0\].*over the campaign's constraints: MACs/s,
    );
  });

  const resumeCases = {
    'evolution with a seed and two baselines': config({ budget: { trials: 5 } }),
    'pareto-evolution under a MACs constraint with a baseline': config({
      budget: { trials: 5 },
      controller: { kind: 'pareto-evolution', options: { populationSize: 3, sampleSize: 2 } },
      proxy: { channels: 16 },
      constraints: { maxMacs: 290_000 },
      seedGraphs: undefined,
      baselines: ['fpn'],
    }),
  };
  for (const [what, cfg] of Object.entries(resumeCases))
    test(`${what}: resume from the journal cut after every event is exact; no told baseline is retrained`, async () => {
      const full = tmp();
      await run(cfg, full);
      const want = essence(readJournal(join(full, 'journal.jsonl')));
      const lines = readFileSync(join(full, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
      for (let cut = 1; cut < lines.length - 1; cut++) {
        const dir = tmp();
        writeFileSync(join(dir, 'journal.jsonl'), lines.slice(0, cut).join('\n') + '\n' + lines[cut].slice(0, 7));
        writeFileSync(join(dir, 'campaign.json'), JSON.stringify(cfg));
        const before = readJournal(join(dir, 'journal.jsonl'));
        const toldBefore = new Set(before.flatMap((e) => (e.type === 'baseline-told' ? [e.trialId] : [])));
        const { jobs } = await run(cfg, dir, true);
        assert.deepEqual(essence(readJournal(join(dir, 'journal.jsonl'))), want, `cut after line ${cut}`);
        for (const j of jobs)
          assert.ok(!toldBefore.has(j.trialId), `cut ${cut}: told baseline ${j.trialId} trained again`);
        rmSync(dir, { recursive: true, force: true });
      }
    });
});
