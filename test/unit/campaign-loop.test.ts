// The campaign loop on the embedded queue with an in-process fake trainer: budget, journal, outputs,
// reorder buffer, failure semantics, and resume from a journal cut at every possible point.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { type CampaignEnv, runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { type JournalEvent, readJournal } from '../../src/campaign/journal.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { createFakeTrainer, type FakeSpec } from '../../src/testing/fake-trainer.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'pnas-campaign-'));
}

function config(over: Record<string, unknown> = {}): ResolvedCampaign {
  return resolveCampaign({
    name: 'unit',
    seed: 7,
    space: { name: 'nas-fpn', options: {} },
    controller: { kind: 'evolution', options: { populationSize: 4, sampleSize: 2 } },
    budget: { trials: 12 },
    concurrency: 3,
    snapshotEvery: 5,
    retry: { attempts: 2, backoffMs: 1 },
    ...over,
  });
}

function env(cfg: ResolvedCampaign, spec: FakeSpec = { delayMs: [1, 15] }): CampaignEnv {
  const space = campaignSpace(cfg);
  return {
    space,
    createController: () => campaignController(cfg, space),
    queue: new EmbeddedQueue(inlineRunner(createFakeTrainer(spec)), {
      concurrency: cfg.concurrency,
      attempts: cfg.retry.attempts,
      backoffMs: cfg.retry.backoffMs,
    }),
  };
}

async function run(cfg: ResolvedCampaign, dir: string, resume = false, spec?: FakeSpec) {
  const e = env(cfg, spec);
  try {
    return await runCampaign(cfg, e, { dir, resume });
  } finally {
    await e.queue.close();
  }
}

/** The part of the journal that must not depend on timing: proposals and results, in order. */
function essence(events: JournalEvent[]): unknown[] {
  return events.flatMap((e): unknown[] =>
    e.type === 'asked'
      ? [{ asked: e.index, decisions: e.decisions, hash: e.hash }]
      : e.type === 'told'
        ? [{ told: e.index, status: e.status, metrics: e.metrics, error: e.error, reward: e.reward }]
        : [],
  );
}

describe('campaign loop (embedded, in-process fake trainer)', () => {
  test('runs to the trial budget, tells every trial once in ask order, writes every output', async () => {
    const dir = tmp();
    const cfg = config();
    const s = await run(cfg, dir);
    assert.equal(s.reason, 'trials');
    assert.equal(s.stats.told, 12);
    const ev = readJournal(join(dir, 'journal.jsonl'));
    const told = ev.filter((e) => e.type === 'told').map((e) => (e as { index: number }).index);
    assert.deepEqual(told, [...Array(12).keys()]);
    assert.equal(ev[0].type, 'campaign-started');
    assert.equal(ev.at(-1)!.type, 'campaign-finished');
    assert.ok(ev.some((e) => e.type === 'controller-snapshot'));
    // Never more than `concurrency` asked-but-untold.
    let open = 0;
    for (const e of ev) {
      if (e.type === 'asked') open++;
      if (e.type === 'told') open--;
      assert.ok(open <= 3, `in flight ${open} > concurrency`);
    }
    for (const f of ['campaign.json', 'trials.csv', 'best.graph.json', 'pareto.json', 'best.svg'])
      assert.ok(existsSync(join(dir, f)), f);
    assert.equal(readdirSync(join(dir, 'graphs')).length, 12);
    const best = JSON.parse(readFileSync(join(dir, 'best.graph.json'), 'utf8'));
    assert.equal(best.meta.campaign, 'unit');
    assert.equal(best.meta.AP, s.best!.metrics!.AP);
    const maxAP = Math.max(...s.records.map((r) => r.metrics?.AP ?? -1));
    assert.equal(best.meta.AP, maxAP); // objective without macsTarget: reward = AP
    const csv = readFileSync(join(dir, 'trials.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 13);
    // No scheduler: no rung, and every row's metrics are from the proxy task's full steps.
    for (const line of csv.slice(1)) assert.ok(line.endsWith(`,,${cfg.proxy.steps}`), line);
    const pareto = JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8'));
    assert.ok(pareto.apVsMacs.some((p: { trialId: string }) => p.trialId === s.best!.trialId));
    rmSync(dir, { recursive: true, force: true });
  });

  test('the same seed gives the same journal essence, whatever the arrival order', async () => {
    const a = tmp(),
      b = tmp();
    await run(config(), a, false, { delayMs: [1, 20] });
    await run(config(), b, false, { delayMs: [20, 1] as unknown as [number, number] });
    assert.deepEqual(essence(readJournal(join(a, 'journal.jsonl'))), essence(readJournal(join(b, 'journal.jsonl'))));
  });

  test('NaN loss → failed with its error, told with rewardForInvalid; a thrower is retried then failed; campaign continues', async () => {
    const dir = tmp();
    const cfg = config({ objective: { rewardForInvalid: -1 } });
    const s = await run(cfg, dir, false, { nan: [2], throw: [4] });
    assert.equal(s.stats.told, 12);
    const r2 = s.records[2],
      r4 = s.records[4];
    assert.equal(r2.status, 'failed');
    assert.match(r2.error!, /NAN_LOSS/);
    assert.equal(r2.reward, -1);
    assert.equal(r4.status, 'failed');
    assert.match(r4.error!, /after 2 attempts/);
    assert.equal(s.stats.failed, 2);
  });

  test('a fresh run refuses a folder that already has a journal', async () => {
    const dir = tmp();
    const cfg = config({ budget: { trials: 2 } });
    await run(cfg, dir);
    await assert.rejects(run(cfg, dir), /already holds a campaign journal/);
  });

  test('resume from the journal cut after every event (and a torn last line) reproduces the uninterrupted journal', async () => {
    for (const kind of ['random', 'evolution'] as const) {
      const opts = kind === 'random' ? {} : { populationSize: 4, sampleSize: 2 };
      const cfg = config({
        controller: { kind, options: opts },
        budget: { trials: 8 },
        concurrency: 2,
        snapshotEvery: 3,
      });
      const full = tmp();
      const quick: FakeSpec = { delayMs: [0, 4] };
      await run(cfg, full, false, quick);
      const text = readFileSync(join(full, 'journal.jsonl'), 'utf8');
      const lines = text.split('\n').filter(Boolean);
      const want = essence(readJournal(join(full, 'journal.jsonl')));
      for (let cut = 1; cut < lines.length - 1; cut++) {
        const dir = tmp();
        // A crash mid-append leaves a torn line; resume must drop it.
        writeFileSync(join(dir, 'journal.jsonl'), lines.slice(0, cut).join('\n') + '\n' + lines[cut].slice(0, 7));
        writeFileSync(join(dir, 'campaign.json'), JSON.stringify(cfg));
        await run(cfg, dir, true, quick);
        assert.deepEqual(essence(readJournal(join(dir, 'journal.jsonl'))), want, `${kind}: cut after line ${cut}`);
        rmSync(dir, { recursive: true, force: true });
      }
      rmSync(full, { recursive: true, force: true });
    }
  });

  test('wall-time budget stops asking and drains what is in flight', async () => {
    const dir = tmp();
    const cfg = config({ budget: { wallSeconds: 0.3 }, concurrency: 2 });
    const s = await run(cfg, dir, false, { delayMs: 40 });
    assert.equal(s.reason, 'wallSeconds');
    assert.equal(s.stats.told, s.stats.asked);
    assert.ok(s.stats.told >= 2);
  });
});
