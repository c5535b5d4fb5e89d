// Spearman's ρ and Kendall's τ-b (src/util/rank-correlation.ts): known values, including a small case with
// ties worked by hand, and the laws every rank correlation obeys, checked on random vectors with ties.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { kendallTauB, spearman } from '../../src/util/rank-correlation.js';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);

/** Runs a property with a seed that is printed on failure (replay with FC_SEED=…). */
function check<T>(property: fc.IProperty<T>, numRuns = 300): void {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  try {
    fc.assert(property, { seed, numRuns });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n(replay with FC_SEED=${seed})`, { cause: err });
  }
}

/** Two vectors of one length, small integers so that ties are common; neither is constant. */
const pair = fc
  .integer({ min: 2, max: 12 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }),
    ),
  )
  .filter(([a, b]) => new Set(a).size > 1 && new Set(b).size > 1);

/** Strictly increasing on the integers, and exact in floating point over the range used. */
const increasing = (x: number) => x ** 3 + 5 * x - 7;

const statistics = [
  ['Spearman ρ', spearman],
  ['Kendall τ-b', kendallTauB],
] as const;

describe('rank correlation', () => {
  test('perfectly concordant → 1, reversed → −1, for both', () => {
    for (const [, stat] of statistics) {
      assert.equal(stat([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), 1);
      assert.equal(stat([1, 2, 3, 4, 5], [0.5, 0.4, 0.3, 0.2, 0.1]), -1);
    }
  });

  test('one adjacent swap in five: ρ = 1 − 6·4/(5·24) = 0.8, τ = (8 − 2)/10 = 0.6', () => {
    close(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8);
    close(kendallTauB([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.6);
  });

  test('ties, by hand: a = [1, 2, 2, 3], b = [1, 3, 2, 4]', () => {
    // Average ranks of a: 1, 2.5, 2.5, 4 (centred −1.5, 0, 0, 1.5); of b: 1, 3, 2, 4 (−1.5, 0.5, −0.5, 1.5).
    // ρ = 4.5 / √(4.5 · 5) = 3/√10.
    close(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 3 / Math.sqrt(10));
    // Six pairs: five concordant, the pair tied in a counts for neither; 5 pairs untied in a, 6 in b.
    // τ-b = 5 / √(5 · 6).
    close(kendallTauB([1, 2, 2, 3], [1, 3, 2, 4]), 5 / Math.sqrt(30));
    // With the tie on both sides, τ-b still reaches 1 (τ-a would not).
    assert.equal(kendallTauB([1, 2, 2, 3], [0, 5, 5, 9]), 1);
    assert.equal(spearman([1, 2, 2, 3], [0, 5, 5, 9]), 1);
  });

  test('a constant vector or fewer than two items has no ordering: NaN; different lengths throw', () => {
    for (const [, stat] of statistics) {
      assert.ok(Number.isNaN(stat([1, 1, 1], [1, 2, 3])));
      assert.ok(Number.isNaN(stat([1, 2, 3], [4, 4, 4])));
      assert.ok(Number.isNaN(stat([1], [2])));
      assert.throws(() => stat([1, 2], [1, 2, 3]), RangeError);
    }
  });

  for (const [name, stat] of statistics) {
    test(`property (${name}): in [−1, 1] and symmetric in its two vectors`, () =>
      check(
        fc.property(pair, ([a, b]) => {
          const r = stat(a, b);
          assert.ok(r >= -1 && r <= 1, `${r} outside [−1, 1]`);
          assert.equal(stat(b, a), r);
        }),
      ));

    test(`property (${name}): unchanged by a strictly increasing transform of either vector`, () =>
      check(
        fc.property(pair, ([a, b]) => {
          const r = stat(a, b);
          assert.equal(stat(a.map(increasing), b), r);
          assert.equal(stat(a, b.map(increasing)), r);
        }),
      ));

    test(`property (${name}): negating one vector negates the statistic`, () =>
      check(
        fc.property(pair, ([a, b]) => {
          const r = stat(a, b);
          close(
            stat(
              a.map((x) => -x),
              b,
            ),
            -r,
          );
          close(
            stat(
              a,
              b.map((x) => -x),
            ),
            -r,
          );
        }),
      ));
  }
});
