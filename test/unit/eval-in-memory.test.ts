import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type DetBox, EvalInputError, evaluateDetections, type GtBox } from '../../src/eval/index.js';

// pycocotools divides by (tp + fp + np.spacing(1)), so a perfect score can be 1 - 2⁻⁵³·2 rather than 1.
const near = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);

const gt: GtBox[][] = [
  [{ bbox: [10, 10, 50, 50], category: 0, area: 2500 }],
  [{ bbox: [0, 0, 20, 20], category: 1, area: 400 }],
];

test('perfect in-memory detections score AP 1, and AR 1', () => {
  const dets: DetBox[][] = gt.map((boxes) => boxes.map((b) => ({ bbox: b.bbox, category: b.category, score: 0.9 })));
  const r = evaluateDetections(gt, dets, [{ name: 'a' }, { name: 'b' }]);
  near(r.stats.AP, 1);
  near(r.stats.AR100, 1);
  near(r.stats.APs, 1); // 400 px² is small
  near(r.stats.APm, 1); // 2500 px² is medium
  assert.equal(r.stats.APl, -1); // no large ground truth
  assert.deepEqual(
    r.perCategory.map((c) => [c.id, c.name, c.numGt, c.numDetections]),
    [
      [1, 'a', 1, 1],
      [2, 'b', 1, 1],
    ],
  );
  for (const c of r.perCategory) near(c.stats.AP, 1);
});

test('no detections score 0; a detection of the wrong class is a false positive', () => {
  assert.equal(evaluateDetections(gt, [], 2).stats.AP, 0);
  const wrong = evaluateDetections(gt, [[{ bbox: [10, 10, 50, 50], category: 1, score: 1 }]], 2);
  assert.equal(wrong.stats.AP, 0);
});

test('bad in-memory input throws an EvalInputError naming the entry', () => {
  assert.throws(
    () => evaluateDetections(gt, [[{ bbox: [0, 0, 1, 1], category: 5, score: 1 }]], 2),
    (e: unknown) => e instanceof EvalInputError && /detsByImage\[0\]\[0\]\.category/.test(e.message),
  );
  assert.throws(
    () => evaluateDetections(gt, [[{ bbox: [0, 0, 1, 1], category: 0, score: NaN }]], 2),
    /detsByImage\[0\]\[0\]\.score: must be a finite number/,
  );
});
