// What the kernel tests share (backend-kernels: the wasm kernels; native-kernels: the oneDNN ones): random
// inputs, running one kernel on a backend with a leak count, the comparison with tfjs's cpu backend, and
// the random convolution geometry they both draw.
import assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import seedrandom from 'seedrandom';

export const TOL = 1e-4;

export type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

export interface Input {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

export function randomValues(n: number, seed: number): Float32Array {
  const rng = seedrandom(String(seed));
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng() * 2 - 1;
  return a;
}

/** A float32 input of `shape` with values in [-1, 1) from `seed`. */
export const f32 = (shape: number[], seed: number): Input => ({
  values: randomValues(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ),
  shape,
  dtype: 'float32',
});

/**
 * max |a-b| / scale, where scale is max |ref| or, when given, the largest Σ|term| of any output. Every
 * output of a sum-of-products kernel is a float32 reduction; when its terms cancel, the result is far
 * smaller than the rounding error of the sum, so only the sum of absolute terms is a fair scale.
 */
export function relErr(ref: ArrayLike<number>, got: ArrayLike<number>, absTerms?: ArrayLike<number>): number {
  assert.equal(got.length, ref.length, 'result sizes differ');
  let diff = 0,
    scale = 1e-12;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i] - got[i]));
    scale = Math.max(scale, Math.abs(ref[i]), absTerms ? Math.abs(absTerms[i]) : 0);
  }
  return diff / scale;
}

/** Runs one kernel through the engine on `backend`; returns its output values and the tensor-count change. */
export async function runOn(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, Input>, attrs: object) {
  await tf.setBackend(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape, v.dtype);
  const before = tf.memory().numTensors;
  const out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = await out.data();
  const shape = out.shape;
  out.dispose();
  const leaked = tf.memory().numTensors - before;
  tf.dispose(Object.values(ts));
  return { values, shape, leaked };
}

/** The same inputs with every float32 value made non-negative (int32 inputs such as segment ids stay). */
function absolute(inputs: Record<string, Input>): Record<string, Input> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [
      k,
      v.dtype === 'float32' ? { ...v, values: (v.values as Float32Array).map(Math.abs) } : v,
    ]),
  );
}

/**
 * Runs `kernel` on wasm and on cpu and compares. A kernel whose outputs are sums of products of its
 * float inputs (every conv gradient, segment sums) is linear in each input's sign, so the cpu run on
 * absolute inputs gives each output's Σ|term|: the scale its rounding error is measured against.
 */
export async function compareWithCpu(
  kernel: string,
  inputs: Record<string, Input>,
  attrs: object,
  sumOfProducts = true,
): Promise<void> {
  const ref = await runOn('cpu', kernel, inputs, attrs);
  const got = await runOn('wasm', kernel, inputs, attrs);
  assert.deepEqual(got.shape, ref.shape, `${kernel}: shape`);
  assert.equal(got.leaked, 0, `${kernel}: wasm kernel leaked ${got.leaked} tensors`);
  const absTerms = sumOfProducts ? (await runOn('cpu', kernel, absolute(inputs), attrs)).values : undefined;
  const err = relErr(ref.values as Float32Array, got.values as Float32Array, absTerms as Float32Array | undefined);
  assert.ok(err < TOL, `${kernel}: relative error ${err.toExponential(2)} ≥ ${TOL} for ${JSON.stringify(attrs)}`);
}

/**
 * Random forward-conv geometry: batch 1–3, the given channel counts, filter 1/3/5, stride 1–3,
 * same/valid/explicit padding, a depthwise multiplier 1–3; with the padding and output sides worked out.
 */
export function convGeometry(channels: fc.Arbitrary<number> = fc.integer({ min: 1, max: 8 })) {
  return fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      inC: channels,
      outC: channels,
      multiplier: fc.integer({ min: 1, max: 3 }),
      k: fc.constantFrom(1, 3, 5),
      stride: fc.constantFrom(1, 2, 3),
      extraH: fc.integer({ min: 0, max: 9 }),
      extraW: fc.integer({ min: 0, max: 9 }),
      padKind: fc.constantFrom('same', 'valid', 'explicit'),
      pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
      seed: fc.integer(),
    })
    .map((g) => {
      const pad: Pad =
        g.padKind === 'explicit'
          ? [
              [0, 0],
              [g.pads[0], g.pads[1]],
              [g.pads[2], g.pads[3]],
              [0, 0],
            ]
          : (g.padKind as 'same' | 'valid');
      const h = g.k + g.extraH,
        w = g.k + g.extraW; // ≥ k so 'valid' has an output
      const dims = tf.backend_util.computeConv2DInfo(
        [g.batch, h, w, g.inC],
        [g.k, g.k, g.inC, g.outC],
        g.stride,
        1,
        pad,
      );
      return { ...g, h, w, pad, outH: dims.outHeight, outW: dims.outWidth };
    });
}
