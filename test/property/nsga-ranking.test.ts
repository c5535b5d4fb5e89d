// NSGA-II's rankings (controllers/nsga.ts) against brute force: for any points (ties, duplicates and
// infinities included), rank 0 is exactly the set no point dominates, and rank k exactly the set no point
// outside ranks < k dominates; the crowding distance gives Infinity to each objective's extremes and is
// the normalised neighbour gap otherwise. And the checks can fail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { crowdingDistances, dominatesMin, nonDominatedRanks, nsgaRanking } from '../../controllers/nsga.js';

/** Ranks by peeling: the points no remaining point dominates get the next rank. */
function bruteRanks(points: number[][]): number[] {
  const rank = points.map(() => -1);
  for (let r = 0; rank.includes(-1); r++) {
    const left = points.map((_, i) => i).filter((i) => rank[i] < 0);
    const front = left.filter((i) => !left.some((j) => j !== i && dominatesBrute(points[j], points[i])));
    for (const i of front) rank[i] = r;
  }
  return rank;
}

/** Dominance straight from its definition. */
function dominatesBrute(a: number[], b: number[]): boolean {
  return a.every((x, k) => x <= b[k]) && a.some((x, k) => x < b[k]);
}

const arbValue = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 6 }) }, // small range: many ties
  { weight: 3, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(Infinity) },
);
const arbPoints = (m: number) => fc.array(fc.array(arbValue, { minLength: m, maxLength: m }), { maxLength: 40 });

describe('NSGA-II ranking', () => {
  for (const m of [2, 3]) {
    test(`non-dominated ranks equal brute-force peeling (${m} objectives)`, () =>
      fc.assert(
        fc.property(arbPoints(m), (points) => {
          assert.deepEqual(nonDominatedRanks(points), bruteRanks(points));
          for (const a of points) for (const b of points) assert.equal(dominatesMin(a, b), dominatesBrute(a, b));
        }),
        { numRuns: 300 },
      ));
  }

  test('crowding distance: extremes are Infinity, others the normalised neighbour gaps (2 objectives, finite)', () =>
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 20 }), (xs) => {
        // A front: x ascending, y descending (so no point dominates another), distinct values.
        const sorted = [...xs].sort((a, b) => a - b);
        const points = sorted.map((x, i) => [x, sorted[sorted.length - 1 - i]]);
        const members = points.map((_, i) => i);
        const d = crowdingDistances(points, members);
        assert.equal(d[0], Infinity);
        assert.equal(d[d.length - 1], Infinity);
        const range = sorted[sorted.length - 1] - sorted[0];
        for (let i = 1; i < points.length - 1; i++) {
          const n = sorted.length;
          const want = (sorted[i + 1] - sorted[i - 1] + (sorted[n - i] - sorted[n - 2 - i])) / range;
          assert.ok(Math.abs(d[i] - want) < 1e-9, `point ${i}: ${d[i]} vs ${want}`);
        }
        assert.ok(nsgaRanking(points).rank.every((r) => r === 0));
      }),
      { numRuns: 200 },
    ));

  test('the check can fail: a ranking that ignores one objective differs from brute force', () => {
    const points = [
      [0, 5],
      [1, 0],
    ];
    const oneObjective = nonDominatedRanks(points.map(([x]) => [x]));
    assert.notDeepEqual(oneObjective, bruteRanks(points));
  });
});
