// `npm run bench:native`: the oneDNN kernels (native/, npm run build:native) against the wasm kernels they
// replace, per convolution of a training step: forward, weight gradient, input gradient, and the depthwise three.
// Both sides run on the same tensors, interleaved (wasm, native) sample by sample; medians of REPEATS samples,
// each looped to ≥ MIN_SAMPLE_MS. The clock is the process's CPU time (BENCH_CLOCK=wall for wall time, which is
// the one to read with PYRAMID_NAS_NATIVE_THREADS > 1: CPU time sums the threads).
//
//   npm run bench:native            BENCH_REPEATS=9 npm run bench:native
import { cpus, loadavg } from 'node:os';

import * as tf from '@tensorflow/tfjs';

import { initBackend, setNativeKernels } from '../src/backend/index.js';
import { loadNativeAddon } from '../src/backend/native.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const MIN_SAMPLE_MS = 15;
const CLOCK = process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';
const BATCH = 16;

const status = loadNativeAddon();
if (!status.loaded) {
  console.log(`bench:native: the oneDNN addon is not loaded (${status.reason}): skipped`);
  process.exit(0);
}
const choice = await initBackend('wasm');

const now = (): number => {
  if (CLOCK === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median ms per call of `op` with the wasm kernels and with the native ones, sampled alternately. */
async function timeBoth(op: () => void): Promise<{ wasm: number; native: number }> {
  const loops: number[] = [];
  for (const on of [false, true]) {
    await setNativeKernels(on);
    op();
    op(); // warm-up: primitive creation, XNNPACK caches, heap growth
    let inner = 1;
    for (;;) {
      const t0 = now();
      for (let i = 0; i < inner; i++) op();
      if (now() - t0 >= MIN_SAMPLE_MS || inner >= 4096) break;
      inner *= 2;
    }
    loops.push(inner);
  }
  const samples: [number[], number[]] = [[], []];
  for (let r = 0; r < REPEATS; r++) {
    for (const side of [0, 1]) {
      await setNativeKernels(side === 1);
      const t0 = now();
      for (let i = 0; i < loops[side]; i++) op();
      samples[side].push((now() - t0) / loops[side]);
    }
  }
  return { wasm: median(samples[0]), native: median(samples[1]) };
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => () =>
  (tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor).dispose();

// The proxy backbone's convolutions at 64 px (as in bench:kernels), the FPN's 1×1 laterals and a head conv.
const LAYERS = [
  { name: 'stem 3→16 s2', hw: 64, cin: 3, cout: 16, k: 3, stride: 2 },
  { name: 'P2 16→16', hw: 16, cin: 16, cout: 16, k: 3, stride: 1 },
  { name: 'P2→P3 16→32 s2', hw: 16, cin: 16, cout: 32, k: 3, stride: 2 },
  { name: 'P3 32→32', hw: 8, cin: 32, cout: 32, k: 3, stride: 1 },
  { name: 'P4→P5 64→128 s2', hw: 4, cin: 64, cout: 128, k: 3, stride: 2 },
  { name: 'lateral 1×1 64→32', hw: 4, cin: 64, cout: 32, k: 1, stride: 1 },
  { name: 'head 3×3 32→32 @P3', hw: 8, cin: 32, cout: 32, k: 3, stride: 1 },
  { name: 'head 3×3 32→32 @P3, 128 px', hw: 16, cin: 32, cout: 32, k: 3, stride: 1 },
];
const fmt = (flops: number, ms: number): string => (flops / ms / 1e6).toFixed(1);
const loadStart = loadavg()[0];
const rows: string[] = [];
const total = { wasm: 0, native: 0 };
for (const l of LAYERS) {
  const x = tf.randomNormal([BATCH, l.hw, l.hw, l.cin]) as tf.Tensor4D;
  const w = tf.randomNormal([l.k, l.k, l.cin, l.cout]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, l.stride, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const [, oh, ow] = y.shape;
  y.dispose();
  const flops = 2 * BATCH * oh * ow * l.k * l.k * l.cin * l.cout;
  const attrs = { strides: [l.stride, l.stride], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
  const fwd = await timeBoth(run('Conv2D', { x, filter: w }, attrs));
  const dW = await timeBoth(run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }));
  const dx = await timeBoth(run('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }));
  for (const t of [fwd, dW, dx]) {
    total.wasm += t.wasm;
    total.native += t.native;
  }
  const cells = [fwd, dW, dx].map((t) => `${fmt(flops, t.wasm)} | ${fmt(flops, t.native)}`).join(' | ');
  rows.push(`| ${l.name} | ${l.hw}→${oh} | ${(flops / 1e6).toFixed(1)} | ${cells} |`);
  tf.dispose([x, w, dy]);
}
const DW = [
  { name: 'dw 3×3 32ch @P3', hw: 8, c: 32, stride: 1 },
  { name: 'dw 3×3 32ch @P2', hw: 16, c: 32, stride: 1 },
  { name: 'dw 3×3 32ch s2 P2→P3', hw: 16, c: 32, stride: 2 },
];
for (const l of DW) {
  const x = tf.randomNormal([BATCH, l.hw, l.hw, l.c]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, l.c, 1]) as tf.Tensor4D;
  const y = tf.depthwiseConv2d(x, w, l.stride, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const [, oh, ow] = y.shape;
  y.dispose();
  const flops = 2 * BATCH * oh * ow * 9 * l.c;
  const attrs = { strides: [l.stride, l.stride], pad: 'same', dilations: [1, 1] };
  const fwd = await timeBoth(run('DepthwiseConv2dNative', { x, filter: w }, attrs));
  const dW = await timeBoth(run('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }));
  const dx = await timeBoth(
    run('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }),
  );
  for (const t of [fwd, dW, dx]) {
    total.wasm += t.wasm;
    total.native += t.native;
  }
  const cells = [fwd, dW, dx].map((t) => `${fmt(flops, t.wasm)} | ${fmt(flops, t.native)}`).join(' | ');
  rows.push(`| ${l.name} | ${l.hw}→${oh} | ${(flops / 1e6).toFixed(1)} | ${cells} |`);
  tf.dispose([x, w, dy]);
}
await setNativeKernels(true);
console.log(`backend: ${choice.detail}`);
console.log(
  `load average (1 min): ${loadStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end, ${cpus().length} CPUs`,
);
console.log(
  `batch ${BATCH}, ${CLOCK} time, medians of ${REPEATS} samples (each ≥ ${MIN_SAMPLE_MS} ms), GFLOP/s = 2·MACs / time\n`,
);
console.log('| layer | px in→out | MFLOP/pass | fwd wasm | fwd native | dW wasm | dW native | dx wasm | dx native |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(
  `\nall rows, one pass each: wasm ${total.wasm.toFixed(2)} ms, native ${total.native.toFixed(2)} ms ` +
    `(${(total.wasm / total.native).toFixed(2)}× faster)`,
);
