import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AREA_RANGES, IOU_THRESHOLDS, MAX_DETS, RECALL_THRESHOLDS, STAT_NAMES } from '../../src/eval/index.js';
import { bboxIou } from '../../src/eval/iou.js';
import { linspace } from '../../src/eval/params.js';
import { pyFixed3 } from '../../src/eval/summarize.js';

test('IoU thresholds are numpy.linspace(.5, .95, 10), bit for bit', () => {
  // numpy: step = (0.95 - 0.5) / 9 = 0.049999999999999996; value i = i·step + 0.5; the last is exactly .95.
  const step = (0.95 - 0.5) / 9;
  assert.equal(step, 0.049999999999999996);
  assert.equal(IOU_THRESHOLDS.length, 10);
  assert.equal(IOU_THRESHOLDS[0], 0.5);
  assert.equal(IOU_THRESHOLDS[5], 0.75); // AP75 selects this entry by equality, as summarize() does
  assert.equal(IOU_THRESHOLDS[8], 0.8999999999999999); // not 0.9: numpy's value
  assert.equal(IOU_THRESHOLDS[9], 0.95);
  for (let i = 0; i < 9; i++) assert.equal(IOU_THRESHOLDS[i], i * step + 0.5);
});

test('recall thresholds are numpy.linspace(0, 1, 101)', () => {
  assert.equal(RECALL_THRESHOLDS.length, 101);
  assert.equal(RECALL_THRESHOLDS[0], 0);
  assert.equal(RECALL_THRESHOLDS[100], 1);
  for (let i = 0; i < 100; i++) assert.equal(RECALL_THRESHOLDS[i], i * 0.01);
  assert.deepEqual([...linspace(0, 1, 5)], [0, 0.25, 0.5, 0.75, 1]);
});

test('area ranges, maxDets and the stat names are those of COCOeval', () => {
  assert.deepEqual(
    AREA_RANGES.map((r) => [r.label, r.lo, r.hi]),
    [
      ['all', 0, 1e10],
      ['small', 0, 1024],
      ['medium', 1024, 9216],
      ['large', 9216, 1e10],
    ],
  );
  assert.deepEqual([...MAX_DETS], [1, 10, 100]);
  assert.deepEqual(
    [...STAT_NAMES],
    ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'],
  );
});

test('box IoU: no +1, touching boxes do not overlap, crowd divides by the detection area', () => {
  assert.equal(bboxIou(0, 0, 10, 10, 0, 0, 10, 10, false), 1);
  assert.equal(bboxIou(0, 0, 10, 10, 5, 0, 10, 10, false), 50 / 150);
  assert.equal(bboxIou(0, 0, 10, 10, 10, 0, 10, 10, false), 0); // shared edge only
  assert.equal(bboxIou(0, 0, 10, 6, 0, 0, 10, 10, false), 0.6);
  assert.equal(bboxIou(10, 10, 20, 20, 0, 0, 100, 100, true), 1); // inside a crowd region
  assert.equal(bboxIou(90, 90, 20, 20, 0, 0, 100, 100, true), 100 / 400);
  assert.equal(bboxIou(90, 90, 20, 20, 0, 0, 100, 100, false), 100 / (400 + 10000 - 100));
});

test("printed values round like Python's '{:0.3f}' (half to even on exact ties)", () => {
  assert.equal(pyFixed3(0.0625), '0.062'); // JavaScript's toFixed gives 0.063
  assert.equal(pyFixed3(0.1875), '0.188');
  assert.equal(pyFixed3(0.9375), '0.938');
  assert.equal(pyFixed3(0.8125), '0.812');
  assert.equal(pyFixed3(-1), '-1.000');
  assert.equal(pyFixed3(253 / 303), '0.835');
  assert.equal(pyFixed3(0.9999999999999998), '1.000');
  assert.equal(pyFixed3(0.0005), '0.001'); // not an exact tie in binary: 0.0005 is slightly above
});
