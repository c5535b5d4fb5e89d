// The one fold of a journal (journal-state.ts): what a running campaign reports is the fold of the journal
// it writes; the fold is lenient with journals a tail may see (missing asked lines, repeated events);
// its best is records.ts's on any journal, however it is applied; the progress bar and the dashboard
// show the same ETA.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';

import fc from 'fast-check';

import { type CampaignEvent, runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { type JournalEvent, readJournal } from '../../src/campaign/journal.js';
import { eta, foldJournal, JournalState } from '../../src/campaign/journal-state.js';
import { barReporter } from '../../src/campaign/progress.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { bestTrial } from '../../src/campaign/records.js';
import { StatsTracker } from '../../src/campaign/stats.js';
import { CampaignState } from '../../src/dashboard/state.js';
import { createFakeTrainer } from '../../src/testing/fake-trainer.js';
import { syntheticMetrics } from '../../src/testing/synthetic-objective.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-jstate-'));
after(() => rmSync(root, { recursive: true, force: true }));

const metrics = (AP: number) => syntheticMetrics({ AP, macs: 1, backend: 'test' });
const asked = (index: number): JournalEvent => ({
  type: 'asked',
  index,
  trialId: `j-${index}`,
  decisions: [index],
  hash: `h${index}`,
});
const told = (
  index: number,
  status: 'complete' | 'failed' | 'invalid',
  reward: number,
  elapsed = index,
): JournalEvent =>
  status === 'complete'
    ? { type: 'told', index, trialId: `j-${index}`, status, metrics: metrics(reward), reward, elapsed }
    : { type: 'told', index, trialId: `j-${index}`, status, error: 'x', reward, elapsed };

describe('a running campaign reports the fold of its own journal', () => {
  test("every told event's statistics and the summary equal the fold of the journal up to that event", async () => {
    const cfg: ResolvedCampaign = resolveCampaign({
      name: 'fold',
      seed: 3,
      space: { name: 'nas-fpn' },
      controller: { kind: 'random' },
      budget: { trials: 9 },
      concurrency: 3,
      snapshotEvery: 4,
      objective: { rewardForInvalid: 0.9 },
      retry: { attempts: 1, backoffMs: 1 },
    });
    const space = campaignSpace(cfg);
    const queue = new EmbeddedQueue(inlineRunner(createFakeTrainer({ delayMs: [1, 10], nan: [2, 5] })), {
      concurrency: 3,
      attempts: 1,
      backoffMs: 1,
    });
    const events: CampaignEvent[] = [];
    const dir = join(root, 'fold');
    const summary = await runCampaign(
      cfg,
      { space, queue, createController: () => campaignController(cfg, space), onEvent: (e) => events.push(e) },
      { dir, resume: false },
    ).finally(() => queue.close());
    const journal = readJournal(join(dir, 'journal.jsonl'));

    const tolds = events.filter((e) => e.type === 'told');
    assert.equal(tolds.length, 9);
    for (const e of tolds) {
      const upTo = journal.findIndex((j) => j.type === 'told' && j.index === e.index);
      const s = foldJournal(journal.slice(0, upTo + 1));
      assert.equal(e.stats.told, s.told, `told after trial ${e.index}`);
      assert.equal(e.stats.asked, s.asked, `asked after trial ${e.index}`);
      assert.deepEqual(
        [e.stats.complete, e.stats.failed, e.stats.invalid],
        [s.counts.complete, s.counts.failed, s.counts.invalid],
      );
      assert.equal(e.stats.bestTrial, s.best?.trialId, `best after trial ${e.index}`);
    }
    const whole = foldJournal(journal);
    assert.equal(summary.stats.failed, 2);
    assert.equal(summary.best?.trialId, whole.best?.trialId);
    assert.deepEqual(
      summary.records.map(({ graph: _g, ...r }) => r),
      whole.sortedRecords(),
    );
    // Failed trials carry rewardForInvalid (0.9, above every fake AP) and still never rank.
    assert.equal(whole.best?.status, 'complete');
    assert.equal(summary.stats.eta, 0, 'finished: nothing left');
  });
});

describe('JournalState', () => {
  test('a told trial whose asked line is missing is still shown; a repeated ask never undoes a result', () => {
    const s = new JournalState();
    s.applyAll([asked(0), told(0, 'complete', 0.4), told(1, 'failed', 0)]);
    assert.equal(s.asked, 2);
    assert.equal(s.told, 2);
    assert.equal(s.records.get(1)!.status, 'failed');
    assert.equal(s.apply(asked(0)), undefined);
    assert.equal(s.records.get(0)!.status, 'complete');
    assert.equal(s.best?.index, 0);
  });

  test('a trial told twice is counted once, by its last result, and the best follows', () => {
    const s = new JournalState();
    s.applyAll([asked(0), asked(1), told(0, 'complete', 0.8), told(1, 'complete', 0.5)]);
    assert.equal(s.best?.index, 0);
    s.apply(told(0, 'failed', 0.9));
    assert.deepEqual(s.counts, { complete: 1, failed: 1, invalid: 0 });
    assert.equal(s.best?.index, 1);
  });

  test("statuses it does not know count as failed; elapsed is the last told event's; finished means no time left", () => {
    const s = new JournalState();
    s.applyAll([asked(0), asked(1), told(0, 'complete', 0.1, 10)]);
    s.apply({ ...told(1, 'complete', 0.1, 20), status: 'weird' } as unknown as JournalEvent);
    assert.deepEqual(s.counts, { complete: 1, failed: 1, invalid: 0 });
    assert.equal(s.elapsed, 20);
    assert.equal(s.eta({ trials: 4 }), 20);
    s.apply({ type: 'campaign-finished', time: 't', reason: 'trials', asked: 2, told: 2 });
    assert.equal(s.eta({ trials: 4 }), 0);
    s.apply({ type: 'campaign-resumed', time: 't2', asked: 2, told: 2 });
    assert.equal(s.resumes, 1);
    assert.equal(s.eta({ trials: 4 }), 20);
  });

  test("its best is records.ts's on any journal (repeated asks and tells included), whatever the batches", () => {
    const event = fc.oneof(
      fc.nat({ max: 7 }).map(asked),
      fc
        .record({
          i: fc.nat({ max: 7 }),
          st: fc.constantFrom('complete' as const, 'complete' as const, 'failed' as const, 'invalid' as const),
          r: fc.integer({ min: 0, max: 4 }),
        })
        .map(({ i, st, r }) => told(i, st, r / 4)),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (events, batch) => {
        const s = new JournalState();
        const dash = new CampaignState('j', '/nowhere');
        for (let k = 0; k < events.length; k += batch) {
          s.applyAll(events.slice(k, k + batch));
          dash.apply(events.slice(k, k + batch));
        }
        const records = s.sortedRecords();
        assert.equal(s.best?.trialId, bestTrial(records)?.trialId);
        assert.equal(dash.header().bestTrial, bestTrial(records)?.trialId);
        for (const st of ['complete', 'failed', 'invalid'] as const)
          assert.equal(s.counts[st], records.filter((r) => r.status === st).length);
        assert.equal(s.told, records.filter((r) => r.status).length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('one ETA', () => {
  test("the running campaign's ETA is the dashboard's estimate at the campaign's clock", () => {
    const s = new JournalState().applyAll([asked(0), asked(1), told(0, 'complete', 0.2, 5)]);
    const t = new StatsTracker(s, { trials: 10, wallSeconds: 3600 });
    t.continueFrom(50);
    const st = t.stats();
    assert.ok(st.elapsed >= 50, 'the resumed clock continues from the journal');
    assert.equal(st.eta, eta({ trials: 10, wallSeconds: 3600 }, 1, st.elapsed));
  });

  test('the progress bar shows it, the wall budget included', () => {
    const chunks: string[] = [];
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
    stream.on('data', (d: Buffer) => chunks.push(d.toString()));
    const bar = barReporter(stream as unknown as NodeJS.WriteStream);
    // Wall budget only, nothing told yet: the wall budget still says how long is left.
    const t = new StatsTracker(new JournalState().applyAll([asked(0)]), { wallSeconds: 600 });
    t.continueFrom(30);
    bar.onEvent({ type: 'started', stats: t.stats(), reattached: 0 });
    bar.stop();
    assert.match(chunks.join(''), /ETA 9m30s/);
  });
});
