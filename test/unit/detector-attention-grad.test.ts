// The position-attention fusion ops train on wasm as they do on cpu: for random shapes (fast-check; the
// seed is printed on failure), the gradients of a loss through `cross-attention` and `self-attention`
// with respect to their weights and inputs agree within 1e-4 (relative to each gradient's largest entry).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import seedrandom from 'seedrandom';

import { initBackend, registerWasmGradKernels } from '../../src/backend/index.js';
import { buildFusion, ParamStore } from '../../src/detector/index.js';

before(async () => {
  await initBackend('wasm');
  await registerWasmGradKernels();
});

function values(n: number, seed: number): Float32Array {
  const rng = seedrandom(String(seed));
  return Float32Array.from({ length: n }, () => rng() * 2 - 1);
}

interface Case {
  op: 'self-attention' | 'cross-attention';
  batch: number;
  side: number;
  channels: number;
  seed: number;
}

/** Gradients of Σ out·R (R a fixed random projection) w.r.t. the op's weights, then its inputs. */
async function gradients(backend: 'cpu' | 'wasm', c: Case): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const store = new ParamStore(c.seed);
  const arity = c.op === 'self-attention' ? 1 : 2;
  const fusion = buildFusion(store, 'att', c.op, arity === 1 ? [4] : [4, 5], c.channels);
  const shape: [number, number, number, number] = [c.batch, c.side, c.side, c.channels];
  const size = shape.reduce((a, b) => a * b, 1);
  const inputs = Array.from({ length: arity }, (_, i) => tf.tensor4d(values(size, c.seed + 1 + i), shape));
  const projection = tf.tensor4d(values(size, c.seed + 9), shape);
  const weights = store.trainable.map((e) => e.variable);
  const loss = (xs: tf.Tensor4D[]) => tf.sum(tf.mul(fusion(xs, { training: true }), projection)) as tf.Scalar;
  const { grads: byVariable } = tf.variableGrads(() => loss(inputs), weights);
  const grads = tf.grads((...xs: tf.Tensor[]) => loss(xs as tf.Tensor4D[]))(inputs);
  const out = [
    ...(await Promise.all(weights.map((w) => byVariable[w.name].data() as Promise<Float32Array>))),
    ...(await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>))),
  ];
  tf.dispose([...grads, ...Object.values(byVariable), ...inputs, projection]);
  store.dispose();
  return out;
}

test('cross- and self-attention: wasm gradients equal cpu within 1e-4', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        op: fc.constantFrom('self-attention' as const, 'cross-attention' as const),
        batch: fc.integer({ min: 1, max: 3 }),
        side: fc.integer({ min: 1, max: 6 }),
        channels: fc.integer({ min: 1, max: 8 }),
        seed: fc.integer({ min: 0, max: 1e6 }),
      }),
      async (c) => {
        const ref = await gradients('cpu', c);
        const got = await gradients('wasm', c);
        assert.equal(got.length, ref.length);
        ref.forEach((r, i) => {
          let diff = 0,
            scale = 1e-12;
          for (let k = 0; k < r.length; k++) {
            diff = Math.max(diff, Math.abs(r[k] - got[i][k]));
            scale = Math.max(scale, Math.abs(r[k]));
          }
          assert.ok(diff / scale < 1e-4, `${c.op} gradient ${i}: relative error ${(diff / scale).toExponential(2)}`);
        });
      },
    ),
    { numRuns: 40 },
  );
});
