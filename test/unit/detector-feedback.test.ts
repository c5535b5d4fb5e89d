// Backbone feedback (RFP) in the proxy detector: zero-initialised feedback convs make the first training
// step see exactly the plain pyramid; once they are non-zero, the later pass changes the outputs and the
// gradient reaches them through the (frozen) backbone; the cost model counts every pass.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../../src/backend/index.js';
import { Detector } from '../../src/detector/index.js';
import { graphCost, type PyramidGraph } from '../../src/graph/index.js';
import { graph, n } from './graph-fixtures.js';

before(async () => {
  await initBackend('cpu');
});

const S = 48;
const plain = (): PyramidGraph =>
  graph(
    [
      n('m4', 4, 'sum', ['C4', 'C5'], 'none'),
      n('p3', 3, 'sum', ['C3', 'm4'], 'conv'),
      n('p4', 4, 'sum', ['m4'], 'conv'),
      n('p5', 5, 'sum', ['C5'], 'conv'),
    ],
    { P3: 'p3', P4: 'p4', P5: 'p5' },
    { levels: { min: 3, max: 5 }, channels: 8 },
  );
const withFeedback = (fuse: 'gate' | 'last', steps = 2): PyramidGraph => ({
  ...plain(),
  feedback: { steps, from: { C3: 'p3', C5: 'p5' }, fuse },
});

function maxDiff(a: Map<number, tf.Tensor4D>, b: Map<number, tf.Tensor4D>): number {
  let d = 0;
  for (const [l, t] of a) d = Math.max(d, tf.max(tf.abs(tf.sub(t, b.get(l)!))).dataSync()[0]);
  return d;
}

test('zero-initialised feedback: the first pass is the plain pyramid (gate and last, 2 and 3 passes)', () => {
  const images = tf.randomUniform([2, S, S, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const base = new Detector(plain(), { inputSize: S, numClasses: 2, seed: 5, frozenBackbone: true });
  for (const [fuse, steps] of [
    ['gate', 2],
    ['last', 3],
  ] as const) {
    const fed = new Detector(withFeedback(fuse, steps), { inputSize: S, numClasses: 2, seed: 5, frozenBackbone: true });
    assert.deepEqual(fed.featureLevels, [2, 3, 4, 5], 'C2 feeds the later passes of a graph fed at C3');
    tf.tidy(() => {
      const d = maxDiff(base.pyramid(images, { training: false }), fed.pyramid(images, { training: false }));
      assert.ok(d < 1e-5, `${fuse}/${steps}: max difference ${d}`);
    });
    fed.dispose();
  }
  base.dispose();
  images.dispose();
});

test('non-zero feedback changes the outputs and receives a gradient through the frozen backbone', () => {
  const images = tf.randomUniform([2, S, S, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const det = new Detector(withFeedback('gate'), { inputSize: S, numClasses: 2, seed: 6, frozenBackbone: true });
  const before = tf.tidy(() => det.pyramid(images, { training: false }).get(3)!.clone());
  const fbVars = det.store.trainable.filter((e) => e.label.startsWith('feedback/C')).map((e) => e.variable);
  assert.equal(fbVars.length, 4, 'a weight and a bias for each of C3 and C5');
  for (const v of fbVars) v.assign(tf.randomUniform(v.shape, -0.5, 0.5, 'float32', 9));
  tf.tidy(() => {
    const after = det.pyramid(images, { training: false }).get(3)!;
    assert.ok(tf.max(tf.abs(tf.sub(after, before))).dataSync()[0] > 1e-4, 'feedback moved P3');
    const grads = tf.grads((...vs: tf.Tensor[]) => {
      void vs;
      return tf.sum(tf.square(det.pyramid(images, { training: true }).get(3)!));
    })(fbVars);
    const norms = grads.map((g) => tf.sum(tf.abs(g)).dataSync()[0]);
    assert.ok(
      norms.every((x) => x > 0),
      `every feedback variable gets a gradient: ${norms.join(', ')}`,
    );
  });
  before.dispose();
  det.dispose();
  images.dispose();
});

test('params and MACs: the built detector equals graphCost, which counts the neck once per pass', () => {
  for (const fuse of ['gate', 'last'] as const) {
    const g = withFeedback(fuse, 3);
    const det = new Detector(g, { inputSize: S, numClasses: 2, seed: 1 });
    const cost = graphCost(g, { inputSize: S });
    assert.equal(det.params('neck'), cost.params);
    assert.equal(det.countMacs().neck, cost.macs);
    const once = graphCost(plain(), { inputSize: S });
    assert.equal(cost.params, once.params + cost.feedback.params);
    assert.equal(cost.macs, 3 * once.macs + cost.feedback.macs);
    // C3 (32 ch, side 6) and C5 (128 ch, side 2) from 8 channels, two extra passes; the gate is 8 + 1.
    const convs = 8 * 32 + 32 + 8 * 128 + 128;
    assert.equal(cost.feedback.params, convs + (fuse === 'gate' ? 9 : 0));
    det.dispose();
  }
});
