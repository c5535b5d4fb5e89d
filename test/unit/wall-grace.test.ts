// The wall-time budget's grace period, in-process: after wallSeconds no more trials are asked, running
// ones get graceSeconds, then they are cancelled and the campaign finishes with reason wallSeconds,
// leaving them asked-but-untold. Resuming reruns them, and the journal then equals an uninterrupted
// run's: the cancelled trials cost time, never the exactness of resume.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { type CampaignEvent, runCampaign } from '../../src/campaign/campaign.js';
import {
  CampaignConfigError,
  defaultGraceSeconds,
  resolveCampaign,
  type ResolvedCampaign,
} from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { type JournalEvent, readJournal } from '../../src/campaign/journal.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { createFakeTrainer, type FakeSpec } from '../../src/testing/fake-trainer.js';
import type { Trainer } from '../../src/trial/types.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pnas-grace-'));
  dirs.push(d);
  return d;
}

const cfg = resolveCampaign({
  name: 'grace',
  seed: 4,
  space: { name: 'nas-fpn' },
  controller: { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } },
  budget: { trials: 5, wallSeconds: 2, graceSeconds: 0.3 },
  concurrency: 2,
  retry: { attempts: 2, backoffMs: 1 },
  snapshotEvery: 2,
});

/** Runs (or resumes) the campaign with the in-process fake; fails instead of hanging past `ms`. */
async function run(dir: string, resume: boolean, spec: FakeSpec, onAbort?: () => void, ms = 20_000) {
  const fake = createFakeTrainer(spec);
  const trainer: Trainer = (g, p, hooks, job) => {
    hooks.signal?.addEventListener('abort', () => onAbort?.());
    return fake(g, p, hooks, job);
  };
  const space = campaignSpace(cfg);
  const queue = new EmbeddedQueue(inlineRunner(trainer), { concurrency: cfg.concurrency, ...cfg.retry });
  const events: CampaignEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const summary = await Promise.race([
      runCampaign(
        cfg as ResolvedCampaign,
        { space, createController: () => campaignController(cfg, space), queue, onEvent: (e) => events.push(e) },
        { dir, resume },
      ),
      new Promise<never>(
        (_r, reject) => (timer = setTimeout(() => reject(new Error(`campaign still running after ${ms} ms`)), ms)),
      ),
    ]);
    return { summary, events, inFlight: queue.inFlight };
  } finally {
    clearTimeout(timer);
    await queue.close();
  }
}

const essence = (events: JournalEvent[]) =>
  events.flatMap((e): unknown[] =>
    e.type === 'asked'
      ? [{ asked: e.index, hash: e.hash }]
      : e.type === 'told'
        ? [{ told: e.index, status: e.status, metrics: e.metrics, reward: e.reward }]
        : [],
  );

describe('wall-time grace period', () => {
  test('a trial still running after wallSeconds + graceSeconds is cancelled; the campaign finishes; resume reruns it exactly', async () => {
    const dir = tmp();
    let aborts = 0;
    // Trial 1 never finishes: head-of-line, it holds back every tell after trial 0.
    const first = await run(dir, false, { delayMs: 20, hang: [1] }, () => aborts++);
    assert.equal(first.summary.reason, 'wallSeconds');
    assert.ok(first.summary.stats.elapsed >= cfg.budget.wallSeconds!, `finished at ${first.summary.stats.elapsed} s`);
    assert.equal(first.summary.stats.told, 1);
    assert.equal(first.summary.stats.asked, 3);
    assert.equal(first.inFlight, 0, 'nothing left pending in the queue');
    assert.ok(aborts >= 1, 'the running trial was told to stop');
    const finished = first.events.find((e) => e.type === 'finished');
    assert.deepEqual(
      finished && finished.type === 'finished' ? finished.cancelled : undefined,
      2,
      'trials 1 and 2 were still untold',
    );

    const journal = readJournal(join(dir, 'journal.jsonl'));
    const told = journal.filter((e) => e.type === 'told').map((e) => (e as { index: number }).index);
    assert.deepEqual(told, [0], 'the cancelled trials are not told (no made-up failure for the controller)');
    const fin = journal.at(-1)!;
    assert.equal(fin.type, 'campaign-finished');
    assert.deepEqual(fin.type === 'campaign-finished' ? [fin.reason, fin.asked, fin.told] : [], ['wallSeconds', 3, 1]);

    // Resumed where nothing hangs, it reruns 1 and 2 and ends like a campaign that never had the hang.
    const second = await run(dir, true, { delayMs: 20 });
    assert.equal(second.summary.reason, 'trials');
    const reference = tmp();
    await run(reference, false, { delayMs: 20 });
    assert.deepEqual(
      essence(readJournal(join(dir, 'journal.jsonl'))),
      essence(readJournal(join(reference, 'journal.jsonl'))),
    );
  });

  test('graceSeconds: 10% of wallSeconds by default, at least 60 s and at most an hour; only with wallSeconds', () => {
    const c = (budget: Record<string, unknown>) =>
      resolveCampaign({ name: 'g', space: { name: 'nas-fpn' }, controller: { kind: 'random' }, budget });
    assert.equal(c({ wallSeconds: 100 }).budget.graceSeconds, 60);
    assert.equal(c({ wallSeconds: 3000 }).budget.graceSeconds, 300);
    assert.equal(c({ wallSeconds: 86_400 }).budget.graceSeconds, 3600);
    assert.equal(c({ wallSeconds: 100, graceSeconds: 0 }).budget.graceSeconds, 0);
    assert.equal(defaultGraceSeconds(600), 60);
    assert.deepEqual(c({ trials: 3 }).budget, { trials: 3 });
    assert.throws(
      () => c({ trials: 3, graceSeconds: 5 }),
      (e: unknown) => e instanceof CampaignConfigError && e.issues[0].path === '$.budget.graceSeconds',
    );
    assert.throws(
      () => c({ wallSeconds: 10, graceSeconds: -1 }),
      (e: unknown) => e instanceof CampaignConfigError && e.issues[0].path === '$.budget.graceSeconds',
    );
  });
});
