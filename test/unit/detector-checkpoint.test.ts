// Backbone checkpoints: a round trip restores every weight and BN statistic; a checkpoint for another
// architecture is refused with the entry that differs.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../../src/backend/index.js';
import { Detector, exportCheckpoint, importCheckpoint, singleLevelGraph } from '../../src/detector/index.js';

before(async () => {
  await initBackend('cpu');
});

test('export → import restores the backbone exactly, and only the backbone', () => {
  const graph = { ...singleLevelGraph(4), channels: 8 };
  const a = new Detector(graph, { inputSize: 32, numClasses: 2, seed: 1 });
  const b = new Detector(graph, { inputSize: 32, numClasses: 2, seed: 2 });
  try {
    tf.tidy(() => a.store.state[0].variable.assign(tf.fill(a.store.state[0].variable.shape, 0.25)));
    const ckpt = JSON.parse(JSON.stringify(exportCheckpoint(a.store, 'backbone', { note: 'test' })));
    const headBefore = b.store.trainable
      .filter((e) => e.group !== 'backbone')
      .map((e) => Array.from(e.variable.dataSync()));
    importCheckpoint(b.store, ckpt);
    for (const group of ['trainable', 'state'] as const) {
      a.store[group].forEach((e, i) => {
        if (e.group === 'backbone')
          assert.deepEqual(
            Array.from(b.store[group][i].variable.dataSync()),
            Array.from(e.variable.dataSync()),
            e.label,
          );
      });
    }
    assert.deepEqual(
      b.store.trainable.filter((e) => e.group !== 'backbone').map((e) => Array.from(e.variable.dataSync())),
      headBefore,
    );
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const fa = a.features(x, { training: false }).get(5)!;
    const fb = b.features(x, { training: false }).get(5)!;
    assert.deepEqual(Array.from(fa.dataSync()), Array.from(fb.dataSync()));
    tf.dispose([x, fa, fb]);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('a checkpoint missing tensors or with other shapes is refused; a larger backbone serves a smaller one', () => {
  const a = new Detector(
    { ...singleLevelGraph(3, { min: 3, max: 4 }), channels: 8 },
    { inputSize: 32, numClasses: 2, seed: 1 },
  );
  const b = new Detector({ ...singleLevelGraph(4), channels: 8 }, { inputSize: 32, numClasses: 2, seed: 2 });
  try {
    const small = exportCheckpoint(a.store, 'backbone');
    assert.throws(() => importCheckpoint(b.store, small, 'x.json'), /x\.json: has no c5\/a\/w/);
    const broken = { ...small, entries: small.entries.map((e, i) => (i === 0 ? { ...e, shape: [1, 1, 3, 16] } : e)) };
    assert.throws(() => importCheckpoint(a.store, broken, 'y.json'), /y\.json: entries describe/);
    const wrongShape = {
      ...small,
      entries: small.entries.map((e, i) => (i === 0 ? { ...e, shape: [3, 3, 16, 3] } : e)),
    };
    assert.throws(() => importCheckpoint(a.store, wrongShape, 'z.json'), /z\.json: entries\[0\] c1\/conv\/w/);
    // C3..C7 (stages up to C5) → C3..C4 (stages up to C4): the shared stages get the same weights.
    importCheckpoint(a.store, exportCheckpoint(b.store, 'backbone'));
    assert.deepEqual(
      Array.from(a.store.trainable[0].variable.dataSync()),
      Array.from(b.store.trainable[0].variable.dataSync()),
    );
  } finally {
    a.dispose();
    b.dispose();
  }
});
