// The hypervolume of (AP, cost) points (src/campaign/hypervolume.ts) against a brute-force union of their
// dominated boxes on integer coordinates, and how the progress line words the best against baselines.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { overBaselinesText } from '../../src/campaign/baselines.js';
import { hypervolume2d, hypervolumeReport } from '../../src/campaign/hypervolume.js';
import { withBaselines } from '../../src/campaign/progress.js';

/** Unit cells [c, c+1] × [a, a+1] inside the reference box that some point dominates (integer points). */
function bruteArea(points: { AP: number; cost: number }[], ref: number, maxAP: number): number {
  let cells = 0;
  for (let c = 0; c < ref; c++)
    for (let a = 0; a < maxAP; a++) if (points.some((p) => p.cost <= c && p.AP >= a + 1)) cells++;
  return cells;
}

describe('hypervolume', () => {
  test('equals the brute-force union of dominated boxes (integer points, any set)', () =>
    fc.assert(
      fc.property(
        fc.array(fc.record({ AP: fc.integer({ min: -2, max: 8 }), cost: fc.integer({ min: 0, max: 14 }) }), {
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 12 }),
        (points, ref) => assert.equal(hypervolume2d(points, ref), bruteArea(points, ref, 8)),
      ),
      { numRuns: 300 },
    ));

  test('the stated reference: the constraint when given, else 1.1 × the largest cost', () => {
    const pts = [
      { AP: 0.5, cost: 10 },
      { AP: 0.25, cost: 5 },
    ];
    const free = hypervolumeReport(pts, 'macs');
    assert.deepEqual(free.reference, { AP: 0, macs: 11 });
    assert.equal(free.value, 0.25 * 5 + 0.5 * 1);
    const limited = hypervolumeReport(pts, 'macs', 20);
    assert.deepEqual(limited.reference, { AP: 0, macs: 20 });
    assert.equal(limited.rule, 'the constraint');
    assert.equal(limited.normalized, limited.value / 20);
  });

  test('the progress line compares the best with each completed baseline in AP points', () => {
    assert.equal(
      overBaselinesText(0.312, [
        { name: 'fpn', AP: 0.298 },
        { name: 'pafpn', AP: 0.315 },
      ]),
      '+1.4 over fpn, −0.3 under pafpn',
    );
    assert.equal(overBaselinesText(undefined, [{ name: 'fpn', AP: 0.3 }]), '');
    const stats = { asked: 1, told: 1, running: 0, complete: 1, failed: 0, invalid: 0, elapsed: 1, bestAP: 0.312 };
    assert.equal(withBaselines('best', { ...stats, baselines: [{ name: 'fpn', AP: 0.298 }] }), 'best, +1.4 over fpn');
    assert.equal(withBaselines('best', stats), 'best');
  });
});
