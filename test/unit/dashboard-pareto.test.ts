// The page's O(n log n) Pareto sweep (src/dashboard/public/pareto.js) must mark exactly the points the
// campaign's definition (src/campaign/pareto.ts, O(n²)) keeps: ties and duplicates included.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { paretoFront } from '../../src/campaign/pareto.js';
// @ts-expect-error: a plain browser ES module without types
import { paretoMask } from '../../src/dashboard/public/pareto.js';

const mask = paretoMask as (pts: Array<{ AP: number; cost: number }>) => boolean[];

describe('paretoMask', () => {
  test('agrees with paretoFront (small domains force ties and duplicates)', () => {
    const point = fc.record({
      AP: fc.integer({ min: 0, max: 6 }).map((v) => v / 10),
      cost: fc.integer({ min: 1, max: 8 }),
    });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 40 }), (pts) => {
        const front = new Set(paretoFront(pts.map((p) => ({ ...p, costs: [p.cost] }))).map((p) => `${p.AP}/${p.cost}`));
        const got = mask(pts);
        pts.forEach((p, k) => assert.equal(got[k], front.has(`${p.AP}/${p.cost}`), `point ${k} ${JSON.stringify(p)}`));
      }),
      { numRuns: 1000 },
    );
  });

  test('a hand example: the dominated point is the one with more cost and less AP', () => {
    assert.deepEqual(
      mask([
        { AP: 0.3, cost: 10 },
        { AP: 0.2, cost: 20 },
        { AP: 0.4, cost: 30 },
        { AP: 0.3, cost: 10 },
      ]),
      [true, false, true, true],
    );
  });
});
