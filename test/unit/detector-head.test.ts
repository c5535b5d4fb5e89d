// Anchors, target assignment, box coding, focal / smooth-L1 losses and decode + NMS.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';

import { initBackend } from '../../src/backend/index.js';
import { decodeBox, encodeBox, iou } from '../../src/detector/boxes.js';
import {
  assignTargets,
  decodeDetections,
  disposeTargets,
  focalLoss,
  makeAnchors,
  MAX_DETECTIONS,
  smoothL1Loss,
  targetTensors,
} from '../../src/detector/index.js';

before(async () => {
  await initBackend('cpu');
});

describe('anchors', () => {
  test('count, order and sizes: 3 ratios × scales at a×stride, centred on cells', () => {
    const a = makeAnchors(64, 3, 4, 2, 4);
    assert.equal(a.perLocation, 6);
    assert.equal(a.count, (8 * 8 + 4 * 4) * 6);
    // First anchor: level 3, cell (0,0), scale 0, ratio 0.5 → w = 32/√.5, h = 32·√.5 around (4, 4).
    const w = 32 / Math.sqrt(0.5),
      h = 32 * Math.sqrt(0.5);
    assert.deepEqual(
      Array.from(a.boxes.subarray(0, 4)).map((v) => Math.round(v * 1e4) / 1e4),
      [4 - w / 2, 4 - h / 2, 4 + w / 2, 4 + h / 2].map((v) => Math.round(v * 1e4) / 1e4),
    );
    // The ratio-1 anchor of scale 1 is a square of side 32·2^(1/2).
    const i = 4; // scale 1, ratio 1
    assert.ok(Math.abs(a.boxes[i * 4 + 2] - a.boxes[i * 4] - 32 * Math.SQRT2) < 1e-4);
    // First level-4 anchor is centred on (8, 8).
    const j = 8 * 8 * 6;
    assert.ok(Math.abs((a.boxes[j * 4] + a.boxes[j * 4 + 2]) / 2 - 8) < 1e-5);
  });
});

describe('box coding', () => {
  test('decode(encode(box)) = box', () => {
    const anchor = new Float32Array([10, 12, 42, 30]);
    const box = new Float32Array([5, 9, 33, 51]);
    const d = new Float32Array(4);
    encodeBox(anchor, 0, box, 0, d, 0);
    const back = new Float32Array(4);
    decodeBox(anchor, 0, d, 0, 1000, back, 0);
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(back[k] - box[k]) < 1e-4, `${back} vs ${box}`);
  });
  test('iou', () => {
    assert.equal(iou([0, 0, 2, 2], 0, [1, 1, 3, 3], 0), 1 / 7);
    assert.equal(iou([0, 0, 1, 1], 0, [2, 2, 3, 3], 0), 0);
  });
});

describe('target assignment', () => {
  const anchors = makeAnchors(64, 3, 4, 1, 4);
  test('IoU ≥ .5 positive, < .4 negative, in between ignored; best anchor always positive', () => {
    // A box equal to the first level-4 ratio-1 anchor (side 64 centred at 8,8): clipped nothing.
    const k = 8 * 8 * 3 + 1;
    const [x1, y1, x2, y2] = anchors.boxes.subarray(k * 4, k * 4 + 4);
    const t = assignTargets(
      [[{ bbox: [x1, y1, x2 - x1, y2 - y1], category: 2, area: (x2 - x1) * (y2 - y1) }]],
      anchors,
      3,
    );
    assert.equal(t.positive[k], 1);
    assert.equal(t.cls[k * 3 + 2], 1);
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(t.box[k * 4 + c]) < 1e-6);
    for (let i = 0; i < anchors.count; i++) {
      const v = iou(anchors.boxes, i * 4, [x1, y1, x2, y2], 0);
      if (v >= 0.5) assert.equal(t.positive[i], 1, `anchor ${i} iou ${v}`);
      else if (v < 0.4) {
        assert.equal(t.positive[i], 0);
        assert.equal(t.clsWeight[i], 1);
      } else {
        assert.equal(t.positive[i], 0);
        assert.equal(t.clsWeight[i], 0, `anchor ${i} iou ${v} should be ignored`);
      }
    }
    assert.equal(
      t.numPositive,
      Array.from(t.positive).reduce((a, b) => a + b, 0),
    );
  });
  test('a tiny object still gets its best anchor as a positive', () => {
    const t = assignTargets([[{ bbox: [20, 20, 3, 3], category: 0, area: 9 }]], anchors, 3);
    assert.ok(t.numPositive >= 1);
  });
  test('every object gets at least one positive anchor, whatever its size and place (fast-check)', () => {
    // The default proxy's anchors: levels 3–7, 3 scales × 3 ratios, side 2× the stride, at 64 px.
    const proxyAnchors = makeAnchors(64, 3, 7, 3, 2);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 1, max: 64, noNaN: true }),
        fc.double({ min: 1, max: 64, noNaN: true }),
        (x, y, w, h) => {
          const bw = Math.min(w, 64 - x),
            bh = Math.min(h, 64 - y);
          const t = assignTargets([[{ bbox: [x, y, bw, bh], category: 0, area: bw * bh }]], proxyAnchors, 3);
          assert.ok(t.numPositive >= 1, `box [${x}, ${y}, ${bw}, ${bh}] has no positive anchor`);
        },
      ),
      { numRuns: 500 },
    );
  });
  test('an image without objects is all negatives; crowd regions are ignored', () => {
    const empty = assignTargets([[]], anchors, 3);
    assert.equal(empty.numPositive, 0);
    assert.ok(empty.clsWeight.every((w) => w === 1));
    const crowd = assignTargets([[{ bbox: [0, 0, 64, 64], category: 0, area: 4096, iscrowd: 1 }]], anchors, 3);
    assert.equal(crowd.numPositive, 0);
    assert.ok(crowd.clsWeight.some((w) => w === 0));
  });
});

describe('losses', () => {
  test('focal loss matches the formula element by element', () => {
    const x = [2, -1, 0.5, -3];
    const y = [1, 0, 0, 1];
    const w = [1, 1, 0, 1];
    const expected =
      x.reduce((acc, xi, i) => {
        const p = 1 / (1 + Math.exp(-xi));
        const pt = y[i] ? p : 1 - p;
        const at = y[i] ? 0.25 : 0.75;
        return acc + w[i] * -at * (1 - pt) ** 2 * Math.log(pt);
      }, 0) / 2;
    const got = tf.tidy(
      () =>
        focalLoss(tf.tensor3d(x, [1, 4, 1]), {
          cls: tf.tensor3d(y, [1, 4, 1]),
          clsWeight: tf.tensor3d(w, [1, 4, 1]),
          box: tf.zeros([1, 4, 4]),
          positive: tf.zeros([1, 4, 1]),
          normalizer: 2,
        }).dataSync()[0],
    );
    assert.ok(Math.abs(got - expected) < 1e-5, `${got} vs ${expected}`);
  });
  test('smooth-L1 on positives only, quadratic below β, linear above', () => {
    const got = tf.tidy(
      () =>
        smoothL1Loss(tf.tensor3d([0.05, 0, 0, 0, 1, 0, 0, 0], [1, 2, 4]), {
          cls: tf.zeros([1, 2, 1]),
          clsWeight: tf.ones([1, 2, 1]),
          box: tf.zeros([1, 2, 4]),
          positive: tf.tensor3d([1, 0], [1, 2, 1]),
          normalizer: 1,
        }).dataSync()[0],
    );
    assert.ok(Math.abs(got - (0.5 * 0.05 ** 2) / 0.1) < 1e-6);
  });
  test('target tensors are released', () => {
    const before = tf.memory().numTensors;
    const t = targetTensors(
      assignTargets([[{ bbox: [1, 1, 30, 30], category: 0, area: 900 }]], makeAnchors(32, 3, 4, 1), 2),
    );
    disposeTargets(t);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('decode + NMS', () => {
  const anchors = makeAnchors(64, 3, 3, 1, 4);
  const K = 2;
  test('threshold .05, per-class NMS at .5, sorted by score, at most 100', () => {
    const scores = new Float32Array(anchors.count * K);
    const deltas = new Float32Array(anchors.count * 4);
    scores[0 * K + 0] = 0.9; // anchor 0, class 0
    scores[3 * K + 0] = 0.8; // anchor 3 (next cell, same ratio): heavy overlap → suppressed
    scores[3 * K + 1] = 0.7; // same anchor, other class: kept
    scores[5 * K + 1] = 0.04; // below threshold
    const dets = decodeDetections(scores, deltas, anchors, K, 64);
    assert.deepEqual(
      dets.map((d) => [d.category, Math.round(d.score * 100)]),
      [
        [0, 90],
        [1, 70],
      ],
    );
    for (const d of dets) assert.ok(d.bbox[0] >= 0 && d.bbox[1] >= 0 && d.bbox[0] + d.bbox[2] <= 64 + 1e-4);
    const many = new Float32Array(anchors.count * K).fill(0.5);
    const lots = decodeDetections(many, deltas, makeAnchors(64, 3, 3, 1, 0.5), K, 64);
    assert.ok(lots.length <= MAX_DETECTIONS);
  });
});
