// Backbone checkpoints: a round trip restores every weight and BN statistic; a checkpoint for another
// architecture is refused with the entry that differs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
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
    const headBefore = b.store.trainable.filter((e) => e.group !== 'backbone').map((e) => Array.from(e.variable.dataSync()));
    importCheckpoint(b.store, ckpt);
    for (const group of ['trainable', 'state'] as const) {
      a.store[group].forEach((e, i) => {
        if (e.group === 'backbone') assert.deepEqual(Array.from(b.store[group][i].variable.dataSync()), Array.from(e.variable.dataSync()), e.label);
      });
    }
    assert.deepEqual(b.store.trainable.filter((e) => e.group !== 'backbone').map((e) => Array.from(e.variable.dataSync())), headBefore);
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

test('a checkpoint of another architecture is refused', () => {
  const a = new Detector({ ...singleLevelGraph(3, { min: 3, max: 4 }), channels: 8 }, { inputSize: 32, numClasses: 2, seed: 1 });
  const b = new Detector({ ...singleLevelGraph(4), channels: 8 }, { inputSize: 32, numClasses: 2, seed: 1 });
  try {
    const ckpt = exportCheckpoint(a.store, 'backbone');
    assert.throws(() => importCheckpoint(b.store, ckpt, 'x.json'), /x\.json: has \d+ backbone tensors/);
    const broken = { ...ckpt, entries: ckpt.entries.map((e, i) => (i === 0 ? { ...e, shape: [1, 1, 3, 16] } : e)) };
    assert.throws(() => importCheckpoint(a.store, broken, 'y.json'), /y\.json: entries\[0\]/);
  } finally {
    a.dispose();
    b.dispose();
  }
});
