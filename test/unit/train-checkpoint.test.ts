// A rung's checkpoint (src/train/checkpoint-state.ts) on the real backend: training 3 steps, saving the
// state as the job result carries it (JSON), and continuing 3 more in a fresh session gives the losses and
// weights of 6 uninterrupted steps; a state of another model is refused; trainRung continues a checkpoint.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';

import { initBackend } from '../../src/backend/index.js';
import { createShapesDataset } from '../../src/data/index.js';
import { parseGraph } from '../../src/graph/index.js';
import type { PyramidGraph } from '../../src/graph/types.js';
import {
  loadTrainState,
  proxyGraph,
  saveTrainState,
  TrainError,
  trainRung,
  TrainSession,
  type TrainState,
} from '../../src/train/index.js';
import { resolveProxyTask } from '../../src/trial/proxy-task.js';
import type { TrainCheckpoint } from '../../src/trial/types.js';

function zooGraph(name: string): PyramidGraph {
  const r = parseGraph(JSON.parse(readFileSync(`search-spaces/zoo/${name}.graph.json`, 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.graph;
}

// Warm-up and a short cosine: the learning rate differs at every step, so a continuation that read the
// schedule from the wrong step would not match.
const tiny = {
  imageSize: 32,
  channels: 8,
  batchSize: 4,
  trainImages: 6,
  heldoutImages: 4,
  anchorSize: 2,
  steps: 6,
  learningRate: 0.01,
  warmupSteps: 2,
  runs: 1,
};

function session(graphName = 'fpn'): TrainSession {
  const task = resolveProxyTask({ ...tiny, seed: 3 });
  const ds = createShapesDataset({
    imageSize: task.imageSize,
    trainImages: task.trainImages,
    heldoutImages: task.heldoutImages,
    seed: task.seed,
  });
  return new TrainSession(proxyGraph(zooGraph(graphName), task), task, ds);
}

function weights(s: TrainSession): Float32Array[] {
  return s.detector.store.variables(['neck', 'head']).map((v) => v.dataSync() as Float32Array);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

before(async () => {
  await initBackend();
});

describe('training state checkpoints', () => {
  test('3 steps + checkpoint (through JSON) + 3 steps in a fresh session = 6 uninterrupted steps', async () => {
    const whole = session();
    const wholeLoss: number[] = [];
    for (let i = 0; i < 6; i++) wholeLoss.push(whole.step());
    const wholeWeights = weights(whole);
    whole.dispose();

    const first = session();
    for (let i = 0; i < 3; i++) first.step();
    const state = JSON.parse(JSON.stringify(await saveTrainState(first))) as TrainState;
    first.dispose();
    assert.equal(state.step, 3);
    assert.equal(state.samplesDrawn, 12);

    const second = session();
    await loadTrainState(second, state);
    const contLoss: number[] = [];
    for (let i = 0; i < 3; i++) contLoss.push(second.step());
    const contWeights = weights(second);
    second.dispose();

    assert.ok(maxDiff(wholeLoss.slice(3), contLoss) <= 1e-5, `losses ${wholeLoss.slice(3)} vs ${contLoss}`);
    assert.equal(contWeights.length, wholeWeights.length);
    const d = Math.max(...wholeWeights.map((w, i) => maxDiff(w, contWeights[i])));
    assert.ok(d <= 1e-5, `largest weight difference ${d}`);
  });

  test('a checkpoint of another graph is refused with BAD_CHECKPOINT, naming the tensor that does not fit', async () => {
    const a = session('fpn');
    a.step();
    const state = await saveTrainState(a);
    a.dispose();
    const b = session('bifpn');
    try {
      await assert.rejects(loadTrainState(b, state), (err: unknown) => {
        assert.ok(err instanceof TrainError);
        assert.equal(err.code, 'BAD_CHECKPOINT');
        assert.match(err.message, /checkpoint does not fit this model/);
        return true;
      });
    } finally {
      b.dispose();
    }
  });

  test('trainRung: rung 0 hands over a checkpoint; the next rung continues it to the full run', async () => {
    const graph = zooGraph('fpn');
    const proxy = resolveProxyTask({ ...tiny, seed: 3 });
    let ckpt: TrainCheckpoint | undefined;
    const low = await trainRung(graph, proxy, { onCheckpoint: (c) => (ckpt = c) }, { rung: 0, steps: 2 });
    assert.equal(low.steps, 2);
    assert.equal(low.stepsTrained, 2);
    assert.ok(ckpt && ckpt.step === 2);
    let again: TrainCheckpoint | undefined;
    const top = await trainRung(
      graph,
      proxy,
      { onCheckpoint: (c) => (again = c) },
      { rung: 1, steps: 6, checkpoint: ckpt },
    );
    assert.equal(top.steps, 6);
    assert.equal(top.stepsTrained, 4);
    assert.equal(again, undefined, 'the full run hands over no checkpoint');
    await assert.rejects(
      trainRung(graph, proxy, {}, { rung: 1, steps: 2, checkpoint: ckpt }),
      /must be after the checkpoint/,
    );
  });
});
