// The training loop on the real backend: no tensor leaks, loss goes down on a tiny batch, same seed →
// same losses, non-finite loss → TrainError NAN_LOSS, abort → ABORTED, and a tiny end-to-end trial.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../../src/backend/index.js';
import { createShapesDataset } from '../../src/data/index.js';
import { type BatchNormStat, singleLevelGraph } from '../../src/detector/index.js';
import { parseGraph } from '../../src/graph/index.js';
import type { PyramidGraph } from '../../src/graph/types.js';
import { FeatureCache } from '../../src/train/features.js';
import { proxyGraph, trainAndEvaluate, TrainError, TrainSession } from '../../src/train/index.js';
import { resolveProxyTask } from '../../src/trial/proxy-task.js';

function zooGraph(name: string): PyramidGraph {
  const r = parseGraph(JSON.parse(readFileSync(`search-spaces/zoo/${name}.graph.json`, 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.graph;
}

const tiny = {
  imageSize: 32,
  channels: 8,
  batchSize: 4,
  trainImages: 4,
  heldoutImages: 4,
  anchorSize: 2,
  steps: 40,
  learningRate: 0.01,
  warmupSteps: 0,
  runs: 1,
};
let backend = '';

before(async () => {
  backend = (await initBackend()).name;
});

function session(seed = 1, graphName = 'fpn', over: Record<string, unknown> = {}): TrainSession {
  const task = resolveProxyTask({ ...tiny, seed, ...over });
  const ds = createShapesDataset({
    imageSize: task.imageSize,
    trainImages: task.trainImages,
    heldoutImages: task.heldoutImages,
    seed: task.seed,
  });
  return new TrainSession(proxyGraph(zooGraph(graphName), task), task, ds);
}

describe('training loop', () => {
  test('tf.memory().numTensors is flat across steps', () => {
    for (const name of ['fpn', 'bifpn']) {
      const s = session(1, name, { maxRepeats: 2 });
      try {
        s.step(); // the first step creates Adam's slots
        const n = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) s.step();
        assert.equal(tf.memory().numTensors, n, `${name} on ${backend}`);
      } finally {
        s.dispose();
      }
    }
  });

  test('loss decreases when overfitting one tiny batch', () => {
    const s = session(2);
    try {
      const losses: number[] = [];
      for (let i = 0; i < 40; i++) losses.push(s.step());
      const first = (losses[0] + losses[1] + losses[2]) / 3;
      const last = (losses[37] + losses[38] + losses[39]) / 3;
      assert.ok(last < 0.6 * first, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
    } finally {
      s.dispose();
    }
  });

  test('same seed, same losses; another seed, other losses', () => {
    const run = (seed: number) => {
      const s = session(seed);
      try {
        return [s.step(), s.step(), s.step()];
      } finally {
        s.dispose();
      }
    };
    assert.deepEqual(run(3), run(3));
    assert.notDeepEqual(run(3), run(4));
  });

  test('pretrained backbone stays frozen (neck and head train); scratch trains it too', () => {
    for (const mode of ['pretrained', 'scratch'] as const) {
      const s = session(6, 'fpn', { backbone: mode });
      try {
        const snap = (group: string) =>
          s.detector.store.trainable.filter((e) => e.group === group).map((e) => Array.from(e.variable.dataSync()));
        const bb = snap('backbone');
        const neck = snap('neck');
        s.step();
        s.step();
        assert.equal(JSON.stringify(snap('backbone')) === JSON.stringify(bb), mode === 'pretrained', mode);
        assert.notDeepEqual(snap('neck'), neck);
      } finally {
        s.dispose();
      }
    }
  });

  test('cached frozen features give the same outputs as running the backbone', () => {
    const s = session(7);
    try {
      const split = s.dataset.split('heldout');
      const S = s.task.imageSize;
      const cached = s.featureCache('heldout').batch(s.detector, split, [2, 0]);
      const px = new Float32Array(2 * S * S * 3);
      [2, 0].forEach((i, b) =>
        split.get(i).pixels.forEach((v, k) => {
          px[b * S * S * 3 + k] = v / 255;
        }),
      );
      tf.tidy(() => {
        const direct = s.detector.forward(tf.tensor4d(px, [2, S, S, 3]), { training: false });
        const viaCache = s.detector.forwardFeatures(cached, { training: false });
        const d = tf.max(tf.abs(tf.sub(direct.cls, viaCache.cls))).dataSync()[0];
        assert.ok(d < 1e-4, `max difference ${d}`);
      });
      for (const t of cached.values()) t.dispose();
    } finally {
      s.dispose();
    }
  });

  test('cached features do not depend on which requests filled the cache (fixed compute blocks)', () => {
    const s = session(8, 'fpn', { trainImages: 40 });
    try {
      const split = s.dataset.split('train');
      const a = new FeatureCache([3, 4, 5, 6, 7]);
      const b = new FeatureCache([3, 4, 5, 6, 7]);
      const fa = a.batch(s.detector, split, [0, 1, 2, 3]);
      const fb = b.batch(s.detector, split, [3, 33, 2, 17]);
      const again = b.batch(s.detector, split, [0, 1, 2, 3]);
      for (const l of [3, 4, 5])
        assert.deepEqual(Array.from(again.get(l)!.dataSync()), Array.from(fa.get(l)!.dataSync()), `C${l}`);
      tf.dispose([...fa.values(), ...fb.values(), ...again.values()]);
    } finally {
      s.dispose();
    }
  });

  test('precise BN: moving statistics become the average batch moments under the final weights, leak-free', () => {
    const a = session(9);
    const b = session(9);
    try {
      a.step();
      b.step();
      // b: the moments of the batch a's recalibration will see (the sampler's next batch), collected by hand.
      const { indices } = (
        b as unknown as { sampler: { nextBatch(n: number): { indices: number[] } } }
      ).sampler.nextBatch(b.task.batchSize);
      const train = b.dataset.split('train');
      const features = b.featureCache('train').batch(b.detector, train, indices);
      const stats: BatchNormStat[] = [];
      tf.tidy(() => {
        b.detector.forwardFeatures(features, { training: true, bnStats: stats });
      });
      const n = tf.memory().numTensors;
      a.recalibrateBatchNorm(1);
      assert.equal(tf.memory().numTensors, n, 'no tensors left behind');
      const neckState = a.detector.store.state.filter((e) => e.group === 'neck' || e.group === 'head');
      assert.ok(neckState.length > 0 && stats.length > 0);
      const byVar = new Map(a.detector.store.state.map((e) => [e.label, e.variable]));
      const labelOf = new Map(b.detector.store.state.map((e) => [e.variable, e.label]));
      for (const st of stats) {
        const moved = byVar.get(labelOf.get(st.movingMean)!)!;
        const want = st.mean.dataSync();
        const got = moved.dataSync();
        for (let k = 0; k < want.length; k++)
          assert.ok(Math.abs(got[k] - want[k]) < 1e-5, `${labelOf.get(st.movingMean)}[${k}]: ${got[k]} vs ${want[k]}`);
        st.mean.dispose();
        st.variance.dispose();
      }
      tf.dispose([...features.values()]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  test('gradient clipping: a bound above the norm changes nothing, a tight one changes the updates; no leaks', () => {
    const losses = (clipGradNorm: number) => {
      const s = session(10, 'fpn', { clipGradNorm });
      try {
        s.step();
        const n = tf.memory().numTensors;
        const out = [s.step(), s.step(), s.step()];
        assert.equal(tf.memory().numTensors, n, `clip ${clipGradNorm}: tensors leaked`);
        if (clipGradNorm > 0)
          assert.ok(Number.isFinite(s.lastGradNorm) && s.lastGradNorm > 0, `norm ${s.lastGradNorm}`);
        return out;
      } finally {
        s.dispose();
      }
    };
    const plain = losses(0);
    const loose = losses(1e6);
    plain.forEach((l, i) =>
      assert.ok(Math.abs(l - loose[i]) < 1e-5 * Math.max(1, Math.abs(l)), `step ${i}: ${l} vs ${loose[i]}`),
    );
    const tight = losses(1e-3);
    assert.ok(
      tight.some((l, i) => Math.abs(l - plain[i]) > 1e-4),
      `${tight} vs ${plain}`,
    );
  });

  test('a non-finite loss throws TrainError NAN_LOSS and leaks nothing', () => {
    const s = session(5);
    try {
      s.step();
      const v = s.detector.store.trainable.find((e) => e.group === 'neck')!.variable;
      tf.tidy(() => v.assign(tf.fill(v.shape, NaN)));
      const n = tf.memory().numTensors;
      assert.throws(
        () => s.step(),
        (e: unknown) => e instanceof TrainError && e.code === 'NAN_LOSS',
      );
      assert.equal(tf.memory().numTensors, n);
    } finally {
      s.dispose();
    }
  });
});

describe('trainAndEvaluate', () => {
  test('a tiny trial returns COCO metrics, costs and the backend', async () => {
    const seen: number[] = [];
    const m = await trainAndEvaluate(
      zooGraph('pafpn'),
      { ...tiny, steps: 3, backend: backend as 'wasm' },
      { onProgress: (p) => seen.push(p.step) },
    );
    assert.deepEqual(seen, [1, 2, 3]);
    for (const k of ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl'] as const)
      assert.ok(m[k] >= -1 && m[k] <= 1, `${k}=${m[k]}`);
    assert.equal(m.backend, backend);
    assert.ok(m.params > 0 && m.macs > 0 && m.trainSeconds > 0 && m.evalSeconds > 0);
  });
  test('runs: each run trains from its own seed on the same data; metrics are the mean over runs; run 0 is the runs=1 trial', async () => {
    const losses: number[] = [];
    const steps: number[] = [];
    const perRun: Array<{ run: number; AP: number; AP50: number }> = [];
    const m = await trainAndEvaluate(
      zooGraph('fpn'),
      { ...tiny, steps: 3, runs: 2 },
      {
        onProgress: (p) => {
          losses.push(p.loss);
          steps.push(p.step);
          assert.equal(p.steps, 6);
        },
        onRunEnd: (run, s) => perRun.push({ run, AP: s.AP, AP50: s.AP50 }),
      },
    );
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(
      perRun.map((r) => r.run),
      [0, 1],
    );
    assert.equal(m.runs, 2);
    assert.ok(Math.abs(m.AP - (perRun[0].AP + perRun[1].AP) / 2) < 1e-12, `${m.AP} vs ${JSON.stringify(perRun)}`);
    assert.ok(Math.abs(m.AP50 - (perRun[0].AP50 + perRun[1].AP50) / 2) < 1e-12);
    // Run 1 starts from other weights and another batch order: its first loss differs from run 0's.
    assert.notEqual(losses[3], losses[0]);
    const single: number[] = [];
    const one = await trainAndEvaluate(
      zooGraph('fpn'),
      { ...tiny, steps: 3 },
      { onProgress: (p) => single.push(p.loss) },
    );
    assert.deepEqual(single, losses.slice(0, 3));
    assert.equal(one.AP, perRun[0].AP);
    assert.equal(one.AP50, perRun[0].AP50);
  });

  test('graphs over other level ranges (top below C5, bottom at C2) train on the shipped backbone', async () => {
    for (const levels of [
      { min: 3, max: 4 },
      { min: 2, max: 6 },
    ]) {
      const m = await trainAndEvaluate(singleLevelGraph(levels.min + 1, levels), { ...tiny, steps: 1 });
      assert.ok(Number.isFinite(m.AP), JSON.stringify(levels));
    }
  });

  test('abort and invalid graphs are typed errors', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      trainAndEvaluate(zooGraph('fpn'), { ...tiny, steps: 3 }, { signal: ac.signal }),
      (e: unknown) => e instanceof TrainError && e.code === 'ABORTED',
    );
    const bad = { ...zooGraph('fpn'), outputs: {} };
    await assert.rejects(
      trainAndEvaluate(bad, tiny),
      (e: unknown) => e instanceof TrainError && e.code === 'BAD_GRAPH',
    );
  });
});
