// Hand-computed cases for the COCO evaluator. Each expected value is derived in the comment above it
// from pycocotools' algorithm (COCOeval.evaluateImg / accumulate / summarize), not read from our output.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { EvalInputError, evaluateCoco, formatStats, STAT_NAMES } from '../../src/eval/index.js';
import { det, makeGt, near } from './eval-helpers.js';

describe('evaluateCoco: hand-computed cases', () => {
  test('perfect detections: every stat with ground truth is 1, the others -1', () => {
    // small (20×20), medium (50×50) and large (100×100) objects of two classes in two images.
    const gt = makeGt(
      [1, 2],
      [1, 2],
      [
        [1, 1, [0, 0, 20, 20]],
        [1, 2, [100, 100, 50, 50]],
        [2, 1, [10, 10, 100, 100]],
      ],
    );
    const dets = gt.annotations!.map((a) =>
      det(a.image_id, a.category_id, a.bbox as [number, number, number, number], 0.9),
    );
    const { stats, perCategory } = evaluateCoco(gt, dets);
    for (const name of STAT_NAMES) near(stats[name], 1, name);
    assert.equal(perCategory.length, 2);
    near(perCategory[0].stats.AP, 1);
    assert.equal(perCategory[1].stats.APs, -1); // class 2 has no small object
  });

  test('no detections: AP and AR are 0 where there is ground truth, -1 where there is none', () => {
    const gt = makeGt([1], [1], [[1, 1, [0, 0, 20, 20]]]);
    const { stats } = evaluateCoco(gt, []);
    assert.equal(stats.AP, 0);
    assert.equal(stats.AR100, 0);
    assert.equal(stats.APs, 0);
    assert.equal(stats.APm, -1);
    assert.equal(stats.APl, -1);
    assert.equal(stats.ARl, -1);
  });

  test('no ground truth at all: every stat is -1 (detections cannot be scored)', () => {
    const gt = makeGt([1, 2], [1, 2], []);
    const { stats, perCategory } = evaluateCoco(gt, [det(1, 1, [0, 0, 5, 5], 0.5), det(2, 2, [1, 1, 5, 5], 0.7)]);
    for (const name of STAT_NAMES) assert.equal(stats[name], -1, name);
    assert.deepEqual(
      perCategory.map((c) => c.numDetections),
      [1, 1],
    );
  });

  test('a duplicate detection is a false positive', () => {
    // Two objects; d1 (.9) hits g1, d2 (.8) repeats g1 → FP, d3 (.7) hits g2.
    // tp = 1,1,2  fp = 0,1,1  → recall .5,.5,1  precision 1, 1/2, 2/3 → monotone 1, 2/3, 2/3.
    // Recall thresholds 0..0.50 (51 of them) read precision 1, 0.51..1 (50) read 2/3:
    // AP = (51 + 50·2/3) / 101 = 253/303 at every IoU threshold.
    const gt = makeGt(
      [1],
      [1],
      [
        [1, 1, [0, 0, 40, 40]],
        [1, 1, [100, 100, 40, 40]],
      ],
    );
    const dets = [det(1, 1, [0, 0, 40, 40], 0.9), det(1, 1, [0, 0, 40, 40], 0.8), det(1, 1, [100, 100, 40, 40], 0.7)];
    const { stats } = evaluateCoco(gt, dets);
    near(stats.AP, 253 / 303);
    near(stats.AP50, 253 / 303);
    near(stats.AR100, 1);
    near(stats.AR1, 0.5); // one detection per image: d1 only
    // Without the duplicate, AP would be 1: the duplicate is what costs.
    near(evaluateCoco(gt, [dets[0], dets[2]]).stats.AP, 1);
  });

  test('crowd regions: detections inside are ignored, not false positives, and may match it repeatedly', () => {
    // g1 normal at (200,200); g2 a crowd region covering (0,0)-(100,100). Two confident detections inside
    // the crowd (IoU with crowd = intersection / detection area = 1) are ignored; the TP on g1 keeps AP 1.
    const rows: Parameters<typeof makeGt>[2] = [
      [1, 1, [200, 200, 40, 40]],
      [1, 1, [0, 0, 100, 100], { iscrowd: 1 }],
    ];
    const dets = [
      det(1, 1, [10, 10, 20, 20], 0.95),
      det(1, 1, [50, 50, 20, 20], 0.9),
      det(1, 1, [200, 200, 40, 40], 0.5),
    ];
    const crowd = evaluateCoco(makeGt([1], [1], rows), dets).stats;
    near(crowd.AP, 1);
    near(crowd.AR100, 1); // the crowd region does not count as an object to find
    // The same boxes with iscrowd 0: two FPs first, then the TP; 2 objects, 1 found.
    // tp = 0,0,1  fp = 1,2,2  recall 0,0,.5  precision 0,0,1/3 → monotone 1/3 everywhere up to recall .5:
    // AP = 51·(1/3)/101 = 17/101.
    const plainRows = rows.map(([i, c, b]) => [i, c, b] as (typeof rows)[number]);
    const plain = evaluateCoco(makeGt([1], [1], plainRows), dets).stats;
    near(plain.AP, 17 / 101);
  });

  test('a detection on a normal object and a crowd region matches the object first, the crowd only above its IoU', () => {
    // det vs g1: intersection 60, union 100 → IoU 0.6 (exactly the double 0.6 = threshold 3).
    // det vs crowd: IoU 1. At t ≤ .6 it is a TP; at t ≥ .65 g1 is out of reach, the search goes on to the
    // crowd region and the detection is ignored (no TP, no FP). AP = (3 thresholds · 1 + 7 · 0) / 10.
    const gt = makeGt(
      [1],
      [1],
      [
        [1, 1, [0, 0, 10, 10]],
        [1, 1, [0, 0, 300, 300], { iscrowd: 1 }],
      ],
    );
    const { stats } = evaluateCoco(gt, [det(1, 1, [0, 0, 10, 6], 0.9)]);
    near(stats.AP, 0.3);
    near(stats.AP50, 1);
    assert.equal(stats.AP75, 0);
  });

  test('multi-class with non-contiguous ids; classes without ground truth are left out of the mean', () => {
    // class 3: found (AP 1); class 17: missed (AP 0); class 90: no GT, one detection (-1, excluded);
    // class 40: nothing at all (-1, excluded). Mean over classes = (1 + 0) / 2.
    const gt = makeGt(
      [5, 9],
      [90, 3, 40, 17],
      [
        [5, 3, [0, 0, 30, 30]],
        [9, 17, [0, 0, 30, 30]],
      ],
    );
    const dets = [
      det(5, 3, [0, 0, 30, 30], 0.9),
      det(9, 17, [200, 200, 30, 30], 0.8),
      det(9, 90, [0, 0, 30, 30], 0.99),
    ];
    const { stats, perCategory } = evaluateCoco(gt, dets);
    near(stats.AP, 0.5);
    assert.deepEqual(
      perCategory.map((c) => c.id),
      [3, 17, 40, 90],
    ); // ascending id, as COCOeval sorts catIds
    near(perCategory[0].stats.AP, 1);
    assert.equal(perCategory[1].stats.AP, 0);
    assert.equal(perCategory[2].stats.AP, -1);
    assert.equal(perCategory[3].stats.AP, -1);
    assert.equal(perCategory[3].name, 'c90');
  });

  test('tied scores keep file order within an image', () => {
    // One object; an FP and a TP with the same score. FP first: tp 0,1 fp 1,1 → precision 0, 1/2 →
    // monotone 1/2, 1/2 → AP 1/2. TP first: precision 1, 1/2 → AP 1.
    const gt = makeGt([1], [1], [[1, 1, [0, 0, 40, 40]]]);
    const fp = det(1, 1, [300, 300, 40, 40], 0.5);
    const tp = det(1, 1, [0, 0, 40, 40], 0.5);
    near(evaluateCoco(gt, [fp, tp]).stats.AP, 0.5);
    near(evaluateCoco(gt, [tp, fp]).stats.AP, 1);
  });

  test('tied scores across images are ordered by image id, whatever the file order (pycocotools concatenates by image)', () => {
    // The TP is on image 1, the FP on image 2: the TP comes first → AP 1, in either file order.
    const gt = makeGt([2, 1], [1], [[1, 1, [0, 0, 40, 40]]]);
    const fp = det(2, 1, [300, 300, 40, 40], 0.5);
    const tp = det(1, 1, [0, 0, 40, 40], 0.5);
    near(evaluateCoco(gt, [fp, tp]).stats.AP, 1);
    near(evaluateCoco(gt, [tp, fp]).stats.AP, 1);
    // Swap which image holds the object: now the FP (image 1) comes first → AP 1/2.
    const gt2 = makeGt([1, 2], [1], [[2, 1, [0, 0, 40, 40]]]);
    near(evaluateCoco(gt2, [det(2, 1, [0, 0, 40, 40], 0.5), det(1, 1, [300, 300, 40, 40], 0.5)]).stats.AP, 0.5);
  });

  test('more than 100 detections per image: only the 100 best count', () => {
    const gt = makeGt([1], [1], [[1, 1, [0, 0, 40, 40]]]);
    const fps = (n: number) => Array.from({ length: n }, (_, i) => det(1, 1, [500 + i, 500, 10, 10], 0.9 - i * 1e-4));
    // 100 FPs outrank the TP (101st): it is cut, AP = AR100 = 0.
    const cut = evaluateCoco(gt, [det(1, 1, [0, 0, 40, 40], 0.1), ...fps(100)]).stats;
    assert.equal(cut.AP, 0);
    assert.equal(cut.AR100, 0);
    // 99 FPs: the TP is the 100th → kept. precision at it 1/100, monotone → 1/100 at every recall
    // threshold: AP = 1/100; AR100 = 1, AR10 = AR1 = 0.
    const kept = evaluateCoco(gt, [det(1, 1, [0, 0, 40, 40], 0.1), ...fps(99)]).stats;
    near(kept.AP, 0.01);
    near(kept.AR100, 1);
    assert.equal(kept.AR10, 0);
    assert.equal(kept.AR1, 0);
  });

  test('GT areas exactly 32² and 96² belong to both neighbouring ranges; the annotation area field decides', () => {
    // g1 area 1024 = 32² (small and medium), g2 area 9216 = 96² (medium and large); both found.
    const gt = makeGt(
      [1],
      [1],
      [
        [1, 1, [0, 0, 32, 32]],
        [1, 1, [100, 100, 96, 96]],
      ],
    );
    const dets = [det(1, 1, [0, 0, 32, 32], 0.9), det(1, 1, [100, 100, 96, 96], 0.8)];
    const s = evaluateCoco(gt, dets).stats;
    near(s.APs, 1);
    near(s.APm, 1);
    near(s.APl, 1);
    near(s.ARs, 1);
    near(s.ARm, 1);
    near(s.ARl, 1);
    // The `area` field, not w·h: a 10×10 box annotated with area 5000 is medium, not small.
    const byField = evaluateCoco(makeGt([1], [1], [[1, 1, [0, 0, 10, 10], { area: 5000 }]]), [
      det(1, 1, [0, 0, 10, 10], 0.9),
    ]).stats;
    assert.equal(byField.APs, -1);
    near(byField.APm, 1);
  });

  test('an unmatched detection is a false positive only in the area ranges that contain its w·h', () => {
    // One small object found (score .5) and one unmatched 32×32 detection (area 1024) scored higher.
    // small: the FP counts (1024 ≤ 32²) → precision 0, 1/2 → AP 1/2. medium: no GT → -1.
    // large: the FP is outside [96², 1e10] → ignored, but no large GT → -1.
    // all: FP counts → AP 1/2.
    const gt = makeGt([1], [1], [[1, 1, [0, 0, 10, 10]]]);
    const s = evaluateCoco(gt, [det(1, 1, [300, 300, 32, 32], 0.9), det(1, 1, [0, 0, 10, 10], 0.5)]).stats;
    near(s.APs, 0.5);
    near(s.AP, 0.5);
    assert.equal(s.APm, -1);
    // Make the FP 33×33 (area 1089 > 1024): outside the small range → ignored there → APs = 1.
    const s2 = evaluateCoco(gt, [det(1, 1, [300, 300, 33, 33], 0.9), det(1, 1, [0, 0, 10, 10], 0.5)]).stats;
    near(s2.APs, 1);
    near(s2.AP, 0.5);
  });

  test('interpolated precision by hand: TP FP FP TP TP over 3 objects gives AP 371/505', () => {
    // tp 1,1,1,2,3  fp 0,1,2,2,2  recall 1/3,1/3,1/3,2/3,1  precision 1, 1/2, 1/3, 1/2, 3/5
    // monotone from the right: 1, 3/5, 3/5, 3/5, 3/5.
    // recall thresholds 0.00..0.33 (34) → first recall ≥ thr is index 0 → 1
    //                   0.34..0.66 (33) → index 3 → 3/5;  0.67..1.00 (34) → index 4 → 3/5
    // AP = (34·1 + 67·3/5) / 101 = 371/505.
    const objs: Array<[number, number, number, number]> = [
      [0, 0, 40, 40],
      [100, 0, 40, 40],
      [200, 0, 40, 40],
    ];
    const gt = makeGt(
      [1],
      [1],
      objs.map((b) => [1, 1, b] as [number, number, [number, number, number, number]]),
    );
    const dets = [
      det(1, 1, objs[0], 0.9),
      det(1, 1, [400, 400, 40, 40], 0.8),
      det(1, 1, [500, 400, 40, 40], 0.7),
      det(1, 1, objs[1], 0.6),
      det(1, 1, objs[2], 0.5),
    ];
    const s = evaluateCoco(gt, dets).stats;
    near(s.AP, 371 / 505);
    near(s.AR100, 1);
    near(s.AR1, 1 / 3);
    // With a partial overlap: object 3 found with IoU 0.75 → a TP at thresholds .50….75 (6 of 10), a FP
    // above (and object 3 unfound). Above .75 the sequence is TP FP FP TP FP: precision 1,1/2,1/3,1/2,2/5,
    // monotone 1,1/2,1/2,1/2,2/5, recall 1/3,1/3,1/3,2/3,2/3: AP_t = (34·1 + 33·1/2) / 101 = 101/202 = 1/2.
    // AP = (6·371/505 + 4·1/2) / 10.
    const partial = [...dets.slice(0, 4), det(1, 1, [200, 0, 40, 30], 0.5)];
    const p = evaluateCoco(gt, partial).stats;
    near(p.AP, ((6 * 371) / 505 + 4 * 0.5) / 10);
    near(p.AP75, 371 / 505);
    near(p.AR100, (6 * 1 + (4 * 2) / 3) / 10);
  });

  test('a ground-truth annotation with id 0 can never be a true positive (pycocotools stores matches by id)', () => {
    const gt = makeGt([1], [1], [[1, 1, [0, 0, 40, 40], { id: 0 }]]);
    const s = evaluateCoco(gt, [det(1, 1, [0, 0, 40, 40], 0.9)]).stats;
    assert.equal(s.AP, 0);
    assert.equal(s.AR100, 0);
  });

  test('the printed table has pycocotools summarize() lines', () => {
    const gt = makeGt([1], [1], [[1, 1, [0, 0, 20, 20]]]);
    const lines = formatStats(evaluateCoco(gt, []).stats).split('\n');
    assert.equal(lines.length, 12);
    assert.equal(lines[0], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.000');
    assert.equal(lines[1], ' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.000');
    assert.equal(lines[4], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000');
    assert.equal(lines[6], ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.000');
  });

  test("iouType 'segm' is refused with a clear error", () => {
    assert.throws(
      () => evaluateCoco(makeGt([1], [1], []), [], { iouType: 'segm' }),
      (e: unknown) => e instanceof EvalInputError && e.code === 'UNSUPPORTED' && /segm.*not supported/.test(e.message),
    );
  });
});
