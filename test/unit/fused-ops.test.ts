// The training step's fused ops against the per-op forms they replace, on cpu (values and gradients, random
// shapes by fast-check: the seed is printed on failure): training-mode batch norm, the detection loss on
// per-level head outputs, the Adam update (step by step against tf.train.adam, and its saved state both
// ways), and a whole step: the fused and unfused sessions train alike. Then the same ops on wasm against cpu.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import seedrandom from 'seedrandom';

import { initBackend } from '../../src/backend/index.js';
import { createShapesDataset } from '../../src/data/index.js';
import {
  assignTargets,
  batchNormTrainingReference,
  type BatchTargets,
  detectionLoss,
  fusedBatchNormTraining,
  fusedDetectionLoss,
  joinLevels,
  type LevelOutputs,
  targetTensors,
} from '../../src/detector/index.js';
import { parseGraph } from '../../src/graph/index.js';
import { imagesToFloat } from '../../src/train/batches.js';
import { proxyGraph, TrainError, TrainSession } from '../../src/train/index.js';
import { FusedAdam } from '../../src/train/optimizer.js';
import { resolveProxyTask } from '../../src/trial/proxy-task.js';

const TOL = 1e-4;

function randomValues(n: number, rng: () => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng());
}

/** max |a − b| / max(max |ref|, floor): relative to the tensor's scale, so a near-zero entry is no false failure. */
function relErr(ref: ArrayLike<number>, got: ArrayLike<number>, floor = 1e-3): number {
  assert.equal(got.length, ref.length, 'sizes differ');
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i] - got[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / scale;
}

function assertClose(ref: tf.Tensor, got: tf.Tensor, what: string, tol = TOL, floor = 1e-3): void {
  assert.deepEqual(got.shape, ref.shape, `${what}: shape`);
  const e = relErr(ref.dataSync(), got.dataSync(), floor);
  assert.ok(e < tol, `${what}: relative error ${e.toExponential(2)} ≥ ${tol}`);
}

const bnCase = fc.record({
  b: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 4 }),
  w: fc.integer({ min: 1, max: 4 }),
  c: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

/** Values and gradients (x, γ, β) of Σ y·r for one batch-norm form. */
function bnRun(form: typeof fusedBatchNormTraining, x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, r: tf.Tensor4D) {
  return tf.tidy(() => {
    // The moments are kept tensors: returned from the tidy, they are the caller's to dispose.
    const { y, mean, variance } = form(x, g, b, true);
    const grads = tf.grads((xi, gi, bi) =>
      tf.sum(tf.mul(form(xi as tf.Tensor4D, gi as tf.Tensor1D, bi as tf.Tensor1D, false).y, r)),
    )([x, g, b]);
    return { y, mean: mean!, variance: variance!, grads };
  });
}

describe('fused training ops on cpu', () => {
  before(async () => {
    await initBackend('cpu');
  });

  test('batch norm: values, moments and gradients equal the per-op form (fast-check)', () => {
    fc.assert(
      fc.property(bnCase, ({ b, h, w, c, seed }) => {
        const rng = seedrandom(String(seed));
        const shape: [number, number, number, number] = [b, h, w, c];
        const n = b * h * w * c;
        // An offset and a scale per case: batch norm must not care.
        const x = tf.tensor4d(randomValues(n, rng, -3, 5), shape);
        const gamma = tf.tensor1d(randomValues(c, rng, 0.5, 1.5));
        const beta = tf.tensor1d(randomValues(c, rng));
        const r = tf.tensor4d(randomValues(n, rng), shape);
        const before = tf.memory().numTensors;
        const ref = bnRun(batchNormTrainingReference, x, gamma, beta, r);
        const got = bnRun(fusedBatchNormTraining, x, gamma, beta, r);
        try {
          assertClose(ref.y, got.y, 'y');
          assertClose(ref.mean, got.mean, 'mean');
          assertClose(ref.variance, got.variance, 'variance');
          // dx = (γ/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)) cancels (to 0 when M = 2): compare it on its terms' scale.
          const terms = tf.tidy(() => tf.max(tf.abs(tf.mul(r, tf.div(gamma, tf.sqrt(tf.add(ref.variance, 1e-3)))))));
          assertClose(ref.grads[0], got.grads[0], 'dx', TOL, terms.dataSync()[0]);
          terms.dispose();
          assertClose(ref.grads[1], got.grads[1], 'dγ');
          assertClose(ref.grads[2], got.grads[2], 'dβ');
        } finally {
          tf.dispose([ref, got]);
        }
        assert.equal(tf.memory().numTensors, before, 'tensors left behind');
        tf.dispose([x, gamma, beta, r]);
      }),
      { numRuns: 60 },
    );
  });

  const lossCase = fc.record({
    batch: fc.integer({ min: 1, max: 3 }),
    sides: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
    anchors: fc.integer({ min: 1, max: 3 }),
    classes: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });

  /** Random head outputs and targets: positives (one-hot class, a box), negatives and ignored anchors. */
  function lossInputs(c: { batch: number; sides: number[]; anchors: number; classes: number; seed: number }) {
    const rng = seedrandom(String(c.seed));
    const { batch: B, anchors: A, classes: K } = c;
    const N = c.sides.reduce((n, s) => n + s * s * A, 0);
    const t: BatchTargets = {
      batch: B,
      anchors: N,
      numClasses: K,
      cls: new Float32Array(B * N * K),
      clsWeight: new Float32Array(B * N),
      box: new Float32Array(B * N * 4),
      positive: new Float32Array(B * N),
      numPositive: 0,
    };
    for (let row = 0; row < B * N; row++) {
      const u = rng();
      if (u < 0.3) {
        t.positive[row] = 1;
        t.clsWeight[row] = 1;
        t.cls[row * K + Math.floor(rng() * K)] = 1;
        for (let k = 0; k < 4; k++) t.box[row * 4 + k] = rng() * 2 - 1;
        t.numPositive++;
      } else if (u < 0.8) t.clsWeight[row] = 1;
    }
    // Logits away from 0, where the per-op form's abs/relu take a one-sided derivative.
    const logit = () => (rng() < 0.5 ? -1 : 1) * (0.01 + 4 * rng());
    const out: LevelOutputs = {
      cls: c.sides.map((s) => tf.tensor4d(Float32Array.from({ length: B * s * s * A * K }, logit), [B, s, s, A * K])),
      box: c.sides.map((s) => tf.tensor4d(randomValues(B * s * s * A * 4, rng, -1.2, 1.2), [B, s, s, A * 4])),
    };
    return { t, out };
  }

  test('detection loss: value, parts and per-level gradients equal the per-op form on joined levels (fast-check)', () => {
    fc.assert(
      fc.property(lossCase, (c) => {
        const { t, out } = lossInputs(c);
        const n = out.cls.length;
        const asLevels = (xs: tf.Tensor[]): LevelOutputs => ({
          cls: xs.slice(0, n) as tf.Tensor4D[],
          box: xs.slice(n) as tf.Tensor4D[],
        });
        const before = tf.memory().numTensors;
        const targets = targetTensors(t);
        tf.tidy(() => {
          const ref = detectionLoss(joinLevels(out, c.classes), targets);
          const got = fusedDetectionLoss(out, t);
          assertClose(ref.total, got.total, 'total');
          assertClose(ref.cls, got.cls, 'focal part');
          assertClose(ref.box, got.box, 'smooth-L1 part');
          const xs = [...out.cls, ...out.box];
          const refGrads = tf.grads((...v) => detectionLoss(joinLevels(asLevels(v), c.classes), targets).total)(xs);
          const gotGrads = tf.grads((...v) => fusedDetectionLoss(asLevels(v), t).total)(xs);
          refGrads.forEach((g, i) => assertClose(g, gotGrads[i], `gradient of input ${i}`));
          // dy ≠ 1 scales the gradient.
          const twice = tf.grads((...v) => tf.mul(fusedDetectionLoss(asLevels(v), t).total, 2))(xs);
          twice.forEach((g, i) => assertClose(tf.mul(gotGrads[i], 2), g, `2 × gradient of input ${i}`));
        });
        tf.dispose([targets.cls, targets.clsWeight, targets.box, targets.positive]);
        assert.equal(tf.memory().numTensors, before, 'tensors left behind');
        tf.dispose([...out.cls, ...out.box]);
      }),
      { numRuns: 60 },
    );
  });

  test('detection loss: outputs that do not fit the targets are refused', () => {
    const t = lossInputs({ batch: 2, sides: [2], anchors: 1, classes: 2, seed: 1 }).t;
    tf.tidy(() => {
      const out = { cls: [tf.zeros([2, 3, 3, 2]) as tf.Tensor4D], box: [tf.zeros([2, 3, 3, 4]) as tf.Tensor4D] };
      assert.throws(() => fusedDetectionLoss(out, t), /do not match targets for 2 images × 4 anchors × 2 classes/);
    });
  });
});

describe('FusedAdam', () => {
  before(async () => {
    await initBackend('cpu');
  });

  const shapes = fc.array(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), {
    minLength: 1,
    maxLength: 4,
  });
  let names = 0;

  function twin(shape: number[][], rng: () => number): [tf.Variable[], tf.Variable[]] {
    const a: tf.Variable[] = [];
    const b: tf.Variable[] = [];
    for (const s of shape) {
      const init = tf.tensor(
        randomValues(
          s.reduce((x, y) => x * y, 1),
          rng,
        ),
        s,
      );
      a.push(tf.variable(init, true, `adam-test-a${names}`));
      b.push(tf.variable(init, true, `adam-test-b${names++}`));
      init.dispose();
    }
    return [a, b];
  }

  /** One update of both optimizers with the same random gradients (a learning rate that changes). */
  function stepBoth(
    opts: [tf.AdamOptimizer, FusedAdam],
    vars: [tf.Variable[], tf.Variable[]],
    rng: () => number,
    step: number,
  ): void {
    const lr = 0.01 * (1 + Math.cos(step));
    const grads = vars[0].map((v) => tf.tensor(randomValues(v.size, rng, -2, 2), v.shape));
    opts.forEach((o, k) => {
      (o as { learningRate: number }).learningRate = lr;
      o.applyGradients(vars[k].map((v, i) => ({ name: v.name, tensor: grads[i] })));
    });
    tf.dispose(grads);
  }

  test('equals tf.train.adam step by step (fast-check)', () => {
    fc.assert(
      fc.property(shapes, fc.integer({ min: 0, max: 1e6 }), (shape, seed) => {
        const rng = seedrandom(String(seed));
        const vars = twin(shape, rng);
        const opts: [tf.AdamOptimizer, FusedAdam] = [tf.train.adam(0.01), new FusedAdam(0.01)];
        try {
          for (let step = 0; step < 8; step++) {
            stepBoth(opts, vars, rng, step);
            vars[0].forEach((v, i) => assertClose(v, vars[1][i], `step ${step + 1}, variable ${i}`, 1e-5));
          }
          assert.equal(opts[1].iterations, 8);
        } finally {
          opts.forEach((o) => o.dispose());
          tf.dispose([...vars[0], ...vars[1]]);
        }
      }),
      { numRuns: 25 },
    );
  });

  test('minimize() equals tf.train.adam', () => {
    const rng = seedrandom('minimize');
    const vars = twin([[3, 2], [2]], rng);
    const x = tf.tensor2d(randomValues(12, rng), [4, 3]);
    const opts = [tf.train.adam(0.05), new FusedAdam(0.05)];
    const losses: number[][] = [[], []];
    for (let step = 0; step < 5; step++)
      opts.forEach((o, k) => {
        const [w, b] = vars[k];
        const cost = o.minimize(() => tf.sum(tf.square(tf.add(tf.matMul(x, w as tf.Tensor2D), b))), true, vars[k])!;
        losses[k].push(cost.dataSync()[0]);
        cost.dispose();
      });
    assert.ok(relErr(losses[0], losses[1]) < 1e-5, `${losses[0].join(' ')} vs ${losses[1].join(' ')}`);
    vars[0].forEach((v, i) => assertClose(v, vars[1][i], `variable ${i}`, 1e-5));
    opts.forEach((o) => o.dispose());
    tf.dispose([x, ...vars[0], ...vars[1]]);
  });

  test("getWeights() is tf.train.adam's layout, and either optimizer continues from the other's state", async () => {
    const rng = seedrandom('state');
    const shape = [[2, 3], [4], [1]];
    const vars = twin(shape, rng);
    const opts: [tf.AdamOptimizer, FusedAdam] = [tf.train.adam(0.02), new FusedAdam(0.02)];
    for (let step = 0; step < 3; step++) stepBoth(opts, vars, rng, step);
    const [theirs, ours] = [await opts[0].getWeights(), await opts[1].getWeights()];
    assert.deepEqual(
      ours.map((w) => w.name),
      theirs.map((w) => w.name.replace(/^adam-test-a/, 'adam-test-b')),
    );
    theirs.forEach((w, i) => assertClose(w.tensor, ours[i].tensor, w.name, 1e-5));
    // Swap the states: tf.train.adam takes FusedAdam's, FusedAdam tf.train.adam's; they stay equal.
    const swapped: [tf.AdamOptimizer, FusedAdam] = [tf.train.adam(0.02), new FusedAdam(0.02)];
    await swapped[0].setWeights(ours.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
    await swapped[1].setWeights(theirs);
    assert.equal(swapped[1].iterations, 3);
    for (let step = 3; step < 6; step++) stepBoth(swapped, vars, rng, step);
    vars[0].forEach((v, i) => assertClose(v, vars[1][i], `variable ${i} after the swap`, 1e-5));
    tf.dispose(theirs.map((w) => w.tensor));
    [...opts, ...swapped].forEach((o) => o.dispose());
    tf.dispose([...vars[0], ...vars[1]]);
  });

  test('a state that is not Adam moments is refused with BAD_CHECKPOINT', async () => {
    const o = new FusedAdam(0.01);
    const t = tf.zeros([2]);
    const bad = async (w: Array<{ name: string; tensor: tf.Tensor }>, why: RegExp) =>
      assert.rejects(
        () => o.setWeights(w),
        (e: unknown) => e instanceof TrainError && e.code === 'BAD_CHECKPOINT' && why.test(e.message),
      );
    await bad([{ name: 'x/m', tensor: t }], /'iter' then first and second moments/);
    await bad(
      [
        { name: 'iter', tensor: tf.scalar(1) },
        { name: 'a/m', tensor: t },
      ],
      /equal numbers, got 2 tensors/,
    );
    await bad(
      [
        { name: 'iter', tensor: tf.scalar(1) },
        { name: 'a/m', tensor: t },
        { name: 'b/v', tensor: t },
      ],
      /do not pair up: a\/m \[2\] and b\/v \[2\]/,
    );
    tf.dispose(t);
    o.dispose();
  });
});

function fpn() {
  const r = parseGraph(JSON.parse(readFileSync('search-spaces/zoo/fpn.graph.json', 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.graph;
}

function session(unfusedOps: boolean): TrainSession {
  const task = resolveProxyTask({
    imageSize: 32,
    channels: 8,
    batchSize: 4,
    trainImages: 8,
    heldoutImages: 4,
    anchorSize: 2,
    steps: 20,
    learningRate: 0.01,
    warmupSteps: 0,
    runs: 1,
    seed: 3,
    backbone: 'scratch',
    // One block per stage: at 32 px a deeper C5 stage is 1×1, so its batch norms normalise 4 values and the
    // rounding of either path is amplified past any fixed tolerance; what is compared here is the fused ops.
    backboneWeights: 'shapes-fpn',
  });
  const ds = createShapesDataset({ imageSize: 32, trainImages: 8, heldoutImages: 4, seed: 3 });
  return new TrainSession(proxyGraph(fpn(), task), task, ds, { unfusedOps });
}

describe('a training step, fused and unfused', () => {
  // wasm: the backend trials train on (cpu takes seconds per step).
  let backend = '';
  before(async () => {
    backend = (await initBackend('wasm')).name;
  });

  test('the whole model has the same gradient either way', () => {
    const s = session(false);
    const split = s.dataset.split('train');
    const samples = [0, 1, 2, 3].map((i) => split.get(i));
    const targets = assignTargets(
      samples.map((x) => x.boxes),
      s.detector.anchors,
      s.detector.numClasses,
    );
    const tt = targetTensors(targets);
    const images = tf.tensor4d(imagesToFloat(samples, 32), [4, 32, 32, 3]);
    const vars = s.detector.store.variables();
    try {
      const grads = (unfused: boolean) =>
        tf.variableGrads(() => {
          const out = s.detector.forwardLevels(images, { training: true, unfused });
          return unfused
            ? detectionLoss(joinLevels(out, s.detector.numClasses), tt).total
            : fusedDetectionLoss(out, targets).total;
        }, vars);
      const ref = grads(true);
      const got = grads(false);
      assertClose(ref.value, got.value, 'loss');
      const scale = Math.max(...Object.values(ref.grads).map((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0])));
      for (const e of s.detector.store.trainable) {
        const name = e.variable.name;
        assertClose(ref.grads[name], got.grads[name], `gradient of ${e.label}`, TOL, scale);
      }
      tf.dispose([ref, got]);
    } finally {
      tf.dispose([images, tt.cls, tt.clsWeight, tt.box, tt.positive]);
      s.dispose();
    }
  });

  test('the same graph trains to the same losses either way', () => {
    const [a, b] = [session(true), session(false)];
    try {
      // Float rounding differs (per-channel sums in another order, through a scratch backbone's ten batch
      // norms), and Adam, which divides by √v, turns rounding in near-zero gradients into full-size
      // steps: the two trajectories drift apart by up to 1.2e-3 of the loss in six steps on wasm. The
      // exact check is the one-step gradient test above; this one catches a fused op that trains wrongly.
      for (let i = 0; i < 6; i++) {
        const [la, lb] = [a.step(), b.step()];
        assert.ok(
          Math.abs(la - lb) <= 5e-3 * Math.abs(la),
          `${backend}, step ${i + 1}: loss ${la} unfused vs ${lb} fused`,
        );
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('fused ops on wasm', () => {
  test('batch norm values and gradients on wasm equal cpu', async (t) => {
    try {
      await initBackend('wasm');
    } catch (err) {
      t.skip(`no wasm backend: ${(err as Error).message}`);
      return;
    }
    const rng = seedrandom('wasm');
    const x = randomValues(2 * 4 * 4 * 3, rng, -2, 2);
    const run = async (backend: string) => {
      await initBackend(backend);
      const xt = tf.tensor4d(x, [2, 4, 4, 3]);
      const g = tf.ones([3]) as tf.Tensor1D;
      const b = tf.zeros([3]) as tf.Tensor1D;
      const r = tf.tensor4d(randomValues(x.length, seedrandom('r')), [2, 4, 4, 3]);
      const bn = bnRun(fusedBatchNormTraining, xt, g, b, r);
      const values = [bn.y, ...bn.grads].map((v) => v.dataSync().slice());
      tf.dispose([bn, xt, g, b, r]);
      return values;
    };
    const onWasm = await run('wasm');
    const onCpu = await run('cpu');
    onCpu.forEach((v, i) => assert.ok(relErr(v, onWasm[i]) < TOL, `batch norm output ${i}`));
  });

  test("wasm's Identity shares its input's buffer and keeps it alive", async (t) => {
    try {
      await initBackend('wasm');
    } catch (err) {
      t.skip(`no wasm backend: ${(err as Error).message}`);
      return;
    }
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
    x.dispose();
    assert.deepEqual([...y.dataSync()], [1, 2, 3]);
    y.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
