// The one definition of "best" (src/campaign/records.ts: highest reward, ties → lowest index, complete
// trials only) and its two other readers agree on any campaign: the dashboard's fold of the journal
// (state.ts, which names each campaign's best) and the page's copy (public/best.js, which draws the
// best-so-far line and ranks the table). Small reward domains force ties; failed trials carry rewards
// (rewardForInvalid) that may exceed every real one; some trials are still running.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import type { JournalEvent } from '../../src/campaign/journal.js';
import { recordsFromJournal } from '../../src/campaign/journal-state.js';
import { bestTrial, ranked } from '../../src/campaign/records.js';
// prettier-ignore
// @ts-expect-error: a plain browser ES module without types
import { bestSoFar as pageBestSoFar, compareRows as pageCompare, rankable as pageRankable } from '../../src/dashboard/public/best.js';
import { CampaignState } from '../../src/dashboard/state.js';
import { syntheticMetrics } from '../../src/testing/synthetic-objective.js';

type Row = { i: number; id: string; st: string; reward?: number };
const bestSoFar = pageBestSoFar as (rows: Row[]) => Array<Row | undefined>;
const compareRows = pageCompare as (a: Row, b: Row) => number;
const rankable = pageRankable as (r: Row) => boolean;

const metrics = (AP: number) => syntheticMetrics({ AP, macs: 1, backend: 'test' });

/** A journal: n trials asked in order; each told (complete or failed) or left running, told in any order. */
const journal = fc
  .array(
    fc.record({
      outcome: fc.constantFrom('complete', 'complete', 'complete', 'failed', 'running'),
      reward: fc.integer({ min: 0, max: 5 }).map((v) => v / 10),
      AP: fc.integer({ min: 0, max: 5 }).map((v) => v / 10),
    }),
    { maxLength: 30 },
  )
  .chain((trials) =>
    fc
      .shuffledSubarray([...trials.keys()], { minLength: trials.length, maxLength: trials.length })
      .map((order) => ({ trials, order })),
  )
  .map(({ trials, order }): JournalEvent[] => {
    const events: JournalEvent[] = trials.map((_, index) => ({
      type: 'asked',
      index,
      trialId: `p-${index}`,
      decisions: [],
      hash: `h${index}`,
    }));
    for (const index of order) {
      const t = trials[index];
      if (t.outcome === 'complete')
        events.push({
          type: 'told',
          index,
          trialId: `p-${index}`,
          status: 'complete',
          metrics: metrics(t.AP),
          reward: t.reward,
          elapsed: index,
        });
      if (t.outcome === 'failed')
        events.push({
          type: 'told',
          index,
          trialId: `p-${index}`,
          status: 'failed',
          error: 'NAN_LOSS',
          reward: t.reward,
          elapsed: index,
        });
    }
    return events;
  });

test('the dashboard header and the page name the same best as records.ts, on any journal', () => {
  fc.assert(
    fc.property(journal, (events) => {
      const records = recordsFromJournal(events);
      const want = bestTrial(records)?.trialId;
      const s = new CampaignState('p', '/nowhere');
      s.apply(events);
      assert.equal(s.header().bestTrial, want, 'dashboard header');
      const rows = s.allRows() as Row[];
      assert.equal(bestSoFar(rows).at(-1)?.id, want, 'page: best so far at the last trial');
      // The page's ranking of the table is the campaign's ranking.
      assert.deepEqual(
        rows
          .filter(rankable)
          .sort(compareRows)
          .map((r) => r.id),
        ranked(records).map((r) => r.trialId),
        'page: ranked order',
      );
    }),
    { numRuns: 500 },
  );
});

test('the best so far only ever changes to a trial that beats it', () => {
  fc.assert(
    fc.property(journal, (events) => {
      const s = new CampaignState('p', '/nowhere');
      s.apply(events);
      const rows = s.allRows() as Row[];
      const leaders = bestSoFar(rows);
      leaders.forEach((lead, k) => {
        const want = bestTrial(recordsFromJournal(events).slice(0, k + 1))?.trialId;
        assert.equal(lead?.id, want, `after trial ${k}`);
      });
    }),
    { numRuns: 300 },
  );
});
