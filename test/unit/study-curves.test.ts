// The study's curve arithmetic against brute force (fast-check; a failure prints its seed): the trials a
// campaign needs to reach a target, read off its best-so-far curve, equal the smallest t whose first t
// trials (and the promotions journaled before trial t+1) hold a full-budget result at or above the target;
// the median with "not reached" equals the median of a sorted copy; the curve counts only full-budget results.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import type { JournalEvent } from '../../src/campaign/journal.js';
import { bestAtTrials, bestSoFarCurve, medianOrNever, trialsToReach } from '../../src/study/curves.js';

const FULL = 600;

interface Result {
  type: 'told' | 'rung-told';
  steps: number;
  status: 'complete' | 'failed';
  AP: number;
}

const resultArb: fc.Arbitrary<Result> = fc.record({
  type: fc.constantFrom('told' as const, 'rung-told' as const),
  steps: fc.constantFrom(150, 450, FULL),
  status: fc.constantFrom('complete' as const, 'complete' as const, 'failed' as const),
  AP: fc.integer({ min: 0, max: 50 }).map((x) => x / 100),
});

/** A journal of these results, told trials numbered in order, under an ASHA campaign (top rung: FULL steps) or none. */
function journal(results: Result[], asha: boolean): JournalEvent[] {
  const events: unknown[] = [
    {
      type: 'campaign-started',
      time: '',
      runId: 'r',
      config: asha ? { scheduler: { kind: 'asha', minSteps: 150, maxSteps: FULL, eta: 3 } } : {},
    },
  ];
  let index = 0;
  for (const r of results) {
    const metrics = { AP: r.AP, steps: r.steps };
    if (r.type === 'told')
      events.push({
        type: 'told',
        index: index++,
        trialId: 't',
        status: r.status,
        metrics,
        reward: r.AP,
        elapsed: 0,
        steps: r.steps,
        cpuSeconds: 1,
      });
    else
      events.push({
        type: 'rung-told',
        index: 0,
        trialId: 't',
        rung: 1,
        steps: r.steps,
        stepsTrained: 1,
        status: r.status,
        metrics,
        reward: r.AP,
        elapsed: 0,
        cpuSeconds: 2,
      });
  }
  return events as JournalEvent[];
}

/** Brute force: the smallest t whose results before told trial t+1 include a full-budget complete one ≥ target. */
function bruteTrialsToReach(results: Result[], asha: boolean, target: number): number | undefined {
  const told = results.filter((r) => r.type === 'told').length;
  for (let t = 0; t <= told; t++) {
    let seen = 0;
    const before: Result[] = [];
    for (const r of results) {
      if (r.type === 'told' && ++seen > t) break;
      before.push(r);
    }
    const counted = before.filter((r) => r.status === 'complete' && (!asha || r.steps === FULL));
    if (counted.some((r) => r.AP >= target)) return t;
  }
  return undefined;
}

describe('study curves against brute force', () => {
  test('trials to reach a target', () => {
    fc.assert(
      fc.property(
        fc.array(resultArb, { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 55 }),
        (results, asha, t) => {
          const target = t / 100;
          assert.equal(
            trialsToReach(bestSoFarCurve(journal(results, asha)), target),
            bruteTrialsToReach(results, asha, target),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  test('best after t trials', () => {
    fc.assert(
      fc.property(fc.array(resultArb, { maxLength: 30 }), fc.boolean(), fc.nat(32), (results, asha, t) => {
        const curve = bestSoFarCurve(journal(results, asha));
        let seen = 0;
        const before: Result[] = [];
        for (const r of results) {
          if (r.type === 'told' && ++seen > t) break;
          before.push(r);
        }
        const aps = before.filter((r) => r.status === 'complete' && (!asha || r.steps === FULL)).map((r) => r.AP);
        assert.equal(bestAtTrials(curve, t), aps.length ? Math.max(...aps) : undefined);
      }),
      { numRuns: 500 },
    );
  });

  test('median with "not reached" ranked above every count', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.nat(100), { nil: undefined }), { minLength: 1, maxLength: 9 }), (values) => {
        const sorted = [...values].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
        const n = sorted.length;
        const mid = n % 2 ? [sorted[(n - 1) / 2]] : [sorted[n / 2 - 1], sorted[n / 2]];
        const expected = mid.includes(undefined) ? undefined : mid.reduce((a, b) => a! + b!, 0)! / mid.length;
        assert.equal(medianOrNever(values), expected);
      }),
    );
  });

  test('cases by hand: a low rung never counts; CPU adds up over every job', () => {
    const curve = bestSoFarCurve(
      journal(
        [
          { type: 'told', steps: 150, status: 'complete', AP: 0.4 },
          { type: 'told', steps: 150, status: 'complete', AP: 0.1 },
          { type: 'rung-told', steps: FULL, status: 'complete', AP: 0.3 },
          { type: 'told', steps: 150, status: 'failed', AP: 0.9 },
        ],
        true,
      ),
    );
    assert.deepEqual(
      curve.map((p) => [p.trials, p.cpuSeconds, p.best]),
      [
        [1, 1, undefined],
        [2, 2, undefined],
        [2, 4, 0.3],
        [3, 5, 0.3],
      ],
    );
    assert.equal(trialsToReach(curve, 0.3), 2);
    assert.equal(trialsToReach(curve, 0.31), undefined);
    assert.equal(medianOrNever([3, undefined, 5]), 5);
    assert.equal(medianOrNever([3, undefined]), undefined);
  });
});
