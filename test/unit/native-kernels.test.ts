// The oneDNN kernels (native/, `npm run build:native`) against tfjs's cpu backend on random geometry (fast-check;
// the seed is printed on failure), in place on a growing wasm heap, with no tensor left behind; the addon's own
// bounds checks; and the fallback: with PYRAMID_NAS_NATIVE=0 (or no addon) the wasm kernels are the ones used.
// The comparisons are skipped (and counted) when the addon is not built.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import seedrandom from 'seedrandom';

import { initBackend, setNativeKernels } from '../../src/backend/index.js';
import { loadNativeAddon, nativeSettings } from '../../src/backend/native.js';
import { isNativeKernel, NATIVE_KERNEL_SPECS, nativeShape } from '../../src/backend/native-kernels.js';
import { compareWithCpu, convGeometry, f32, type Input } from './kernel-check.js';

const RUNS = 100;
const status = loadNativeAddon();
const noAddon = status.loaded ? false : `the oneDNN addon is not loaded: ${status.reason}`;
const NATIVE_NAMES = NATIVE_KERNEL_SPECS.map((s) => s.kernelName);

/** Batch 1–3; channels 1–8 or a multiple of oneDNN's 16-channel blocks; filter 1/3/5; stride 1–3; same/valid/explicit. */
const channels = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constantFrom(16, 19, 32));
const geometry = convGeometry(channels);
type Geometry = typeof geometry extends fc.Arbitrary<infer G> ? G : never;

/** Each kernel's inputs and attributes for one geometry (depthwise: outC = inC · multiplier). */
const CASES: Record<string, (g: Geometry) => { inputs: Record<string, Input>; attrs: object }> = {
  Conv2D: (g) => ({
    inputs: {
      x: f32([g.batch, g.h, g.w, g.inC], g.seed),
      filter: f32([g.k, g.k, g.inC, g.outC], g.seed + 1),
    },
    attrs: { strides: [g.stride, g.stride], pad: g.pad, dataFormat: 'NHWC', dilations: [1, 1] },
  }),
  Conv2DBackpropInput: (g) => ({
    inputs: {
      dy: f32([g.batch, g.outH, g.outW, g.outC], g.seed),
      filter: f32([g.k, g.k, g.inC, g.outC], g.seed + 1),
    },
    attrs: { strides: [g.stride, g.stride], pad: g.pad, dataFormat: 'NHWC', inputShape: [g.batch, g.h, g.w, g.inC] },
  }),
  Conv2DBackpropFilter: (g) => ({
    inputs: {
      x: f32([g.batch, g.h, g.w, g.inC], g.seed),
      dy: f32([g.batch, g.outH, g.outW, g.outC], g.seed + 1),
    },
    attrs: { strides: [g.stride, g.stride], pad: g.pad, dataFormat: 'NHWC', filterShape: [g.k, g.k, g.inC, g.outC] },
  }),
  DepthwiseConv2dNative: (g) => ({
    inputs: {
      x: f32([g.batch, g.h, g.w, g.inC], g.seed),
      filter: f32([g.k, g.k, g.inC, g.multiplier], g.seed + 1),
    },
    attrs: { strides: [g.stride, g.stride], pad: g.pad, dataFormat: 'NHWC', dilations: [1, 1] },
  }),
  DepthwiseConv2dNativeBackpropInput: (g) => ({
    inputs: {
      dy: f32([g.batch, g.outH, g.outW, g.inC * g.multiplier], g.seed),
      filter: f32([g.k, g.k, g.inC, g.multiplier], g.seed + 1),
    },
    attrs: { strides: [g.stride, g.stride], pad: g.pad, dilations: [1, 1], inputShape: [g.batch, g.h, g.w, g.inC] },
  }),
  DepthwiseConv2dNativeBackpropFilter: (g) => ({
    inputs: {
      x: f32([g.batch, g.h, g.w, g.inC], g.seed),
      dy: f32([g.batch, g.outH, g.outW, g.inC * g.multiplier], g.seed + 1),
    },
    attrs: {
      strides: [g.stride, g.stride],
      pad: g.pad,
      dilations: [1, 1],
      filterShape: [g.k, g.k, g.inC, g.multiplier],
    },
  }),
};

before(async () => {
  const choice = await initBackend('wasm');
  assert.equal(choice.name, 'wasm');
  if (status.loaded) {
    assert.match(choice.detail, /native oneDNN \d+\.\d+\.\d+, \d+ threads?: Conv2D, /);
    assert.deepEqual((await setNativeKernels(true)).kernels.sort(), [...NATIVE_NAMES].sort());
  }
});

describe('native oneDNN kernels match the cpu backend', () => {
  for (const spec of NATIVE_KERNEL_SPECS) {
    test(spec.kernelName, { skip: noAddon }, async () => {
      assert.ok(isNativeKernel(tf.getKernel(spec.kernelName, 'wasm')), `${spec.kernelName} is the native kernel`);
      await fc.assert(
        fc.asyncProperty(geometry, async (g) => {
          const { inputs, attrs } = CASES[spec.kernelName](g);
          const [a, b] = spec.inputs.map((name) => inputs[name].shape) as [number[], number[]];
          // Every generated case must take the native path, not the fallback.
          assert.ok(nativeShape(spec, [a, b], attrs as never), 'the case is one the addon computes');
          await compareWithCpu(spec.kernelName, inputs, attrs);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('native kernels on the wasm heap', () => {
  test('an output that grows the wasm memory is written into the grown heap', { skip: noAddon }, async () => {
    await tf.setBackend('wasm');
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
    const before = heap.HEAPU8.buffer.byteLength;
    // A 1×1 conv from 1 to C channels whose output alone is larger than the whole heap was.
    const c = Math.ceil(before / (4 * 32 * 32)) + 1;
    const x = tf.tensor4d(f32([1, 32, 32, 1], 7).values, [1, 32, 32, 1]);
    const w = tf.tensor4d(f32([1, 1, 1, c], 8).values, [1, 1, 1, c]);
    const y = tf.conv2d(x, w, 1, 'valid');
    assert.ok(heap.HEAPU8.buffer.byteLength > before, 'the heap grew during the kernel');
    const [xv, wv, yv] = [x.dataSync(), w.dataSync(), y.dataSync()];
    const rng = seedrandom('positions');
    for (let i = 0; i < 1000; i++) {
      const p = Math.floor(rng() * 32 * 32),
        q = Math.floor(rng() * c);
      assert.equal(yv[p * c + q], Math.fround(xv[p] * wv[q]), `y[${p}, ${q}]`);
    }
    tf.dispose([x, w, y]);
  });

  test('the addon refuses offsets outside the heap and shapes that contradict the geometry', { skip: noAddon }, () => {
    assert.ok(status.loaded);
    const heap = new ArrayBuffer(1024);
    const shape = [1, 4, 4, 1, 4, 4, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1]; // 16 floats in, 16 out, 1 weight
    status.addon.conv(0, heap, 0, 64, 128, shape); // inside: fine
    assert.throws(
      () => status.addon.conv(0, heap, 0, 64, 1000, shape),
      /y \(offset 1000, 16 floats\) is outside the heap/,
    );
    assert.throws(() => status.addon.conv(0, heap, -4, 64, 128, shape), /x \(offset -4/);
    assert.throws(() => status.addon.conv(0, heap, 2, 64, 128, shape), /x \(offset 2/);
    const wrongOut = [...shape];
    wrongOut[4] = 5;
    assert.throws(() => status.addon.conv(0, heap, 0, 64, 128, wrongOut), /does not follow from input/);
    assert.throws(() => status.addon.conv(0, heap, 0, 64, 128, shape.slice(1)), /array of 16 integers/);
    // Every entry point checks its argument count and names its signature.
    const untyped = status.addon as unknown as Record<string, (...a: unknown[]) => unknown>;
    assert.throws(() => untyped.conv(0, heap), /conv takes \(op, heap, aOffset, bOffset, outOffset, shape\)/);
    assert.throws(() => untyped.implementation(0), /implementation takes \(op, shape\)/);
    assert.throws(() => untyped.setThreads(), /setThreads takes \(n\)/);
    const spec = NATIVE_KERNEL_SPECS.find((s) => s.kernelName === 'Conv2DBackpropInput')!;
    assert.throws(
      () =>
        nativeShape(
          spec,
          [
            [1, 3, 3, 2],
            [3, 3, 1, 2],
          ],
          { strides: 1, pad: 'same', inputShape: [1, 4, 4, 1] },
        ),
      /do not match the convolution's \[1,4,4,2\]/,
    );
  });

  test('dilated convolutions go to the kernel the native one replaced', { skip: noAddon }, async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(f32([1, 7, 7, 2], 3).values, [1, 7, 7, 2]);
    const w = tf.tensor4d(f32([3, 3, 2, 3], 4).values, [3, 3, 2, 3]);
    const got = tf.conv2d(x, w, 1, 'same', 'NHWC', 2);
    const values = await got.data();
    await tf.setBackend('cpu');
    const ref = tf.conv2d(
      tf.tensor4d(await x.data(), x.shape),
      tf.tensor4d(await w.data(), w.shape),
      1,
      'same',
      'NHWC',
      2,
    );
    const want = await ref.data();
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(want[i] - values[i]) < 1e-4, `y[${i}]`);
    tf.dispose([x, w, got, ref]);
    await tf.setBackend('wasm');
  });

  test(
    'switching off puts back exactly the kernels that were there, switching on brings ours back',
    { skip: noAddon },
    async () => {
      assert.deepEqual((await setNativeKernels(false)).kernels, []);
      for (const name of NATIVE_NAMES) assert.equal(isNativeKernel(tf.getKernel(name, 'wasm')), false, name);
      const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
      const y = tf.conv2d(x, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'same');
      assert.equal((await y.data())[6], 18); // wasm's own kernel still works (its setup ran)
      tf.dispose([x, y]);
      assert.deepEqual((await setNativeKernels(true)).kernels.sort(), [...NATIVE_NAMES].sort());
      for (const name of NATIVE_NAMES) assert.ok(isNativeKernel(tf.getKernel(name, 'wasm')), name);
    },
  );
});

describe('without the addon the wasm kernels are used', () => {
  test('PYRAMID_NAS_NATIVE=0: the detail line says so and no kernel is native', () => {
    const backendIndex = fileURLToPath(new URL('../../src/backend/index.ts', import.meta.url));
    const nativeKernels = fileURLToPath(new URL('../../src/backend/native-kernels.ts', import.meta.url));
    const script = `
      const { initBackend } = await import(${JSON.stringify(backendIndex)});
      const { isNativeKernel, NATIVE_KERNEL_SPECS } = await import(${JSON.stringify(nativeKernels)});
      const tf = await import('@tensorflow/tfjs');
      const { detail } = await initBackend('wasm');
      const native = NATIVE_KERNEL_SPECS.filter((s) => isNativeKernel(tf.getKernel(s.kernelName, 'wasm'))).length;
      const y = tf.conv2d(tf.ones([1, 5, 5, 2]), tf.ones([3, 3, 2, 1]), 1, 'same');
      console.log(JSON.stringify({ detail, native, y6: y.dataSync()[6] }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, PYRAMID_NAS_NATIVE: '0' },
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { detail: string; native: number; y6: number };
    assert.match(out.detail, /native oneDNN off: disabled \(PYRAMID_NAS_NATIVE=0\)/);
    assert.equal(out.native, 0);
    assert.equal(out.y6, 18);
  });

  test('the environment variables are checked', () => {
    assert.deepEqual(nativeSettings({}), { enabled: true, threads: 1 });
    assert.deepEqual(nativeSettings({ PYRAMID_NAS_NATIVE: '0', PYRAMID_NAS_NATIVE_THREADS: '2' }), {
      enabled: false,
      threads: 2,
    });
    assert.throws(() => nativeSettings({ PYRAMID_NAS_NATIVE: 'yes' }), {
      code: 'BAD_ENV',
      message: /must be 0 or 1, got "yes"/,
    });
    assert.throws(() => nativeSettings({ PYRAMID_NAS_NATIVE_THREADS: '0' }), {
      code: 'BAD_ENV',
      message: /PYRAMID_NAS_NATIVE_THREADS must be an integer from 1 to 1024, got "0"/,
    });
  });
});
