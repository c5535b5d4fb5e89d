// `npm run bench:kernels`: GFLOP/s of the convolution kernels a proxy-detector training step runs
// on the wasm backend (one thread), per layer shape: forward conv, weight gradient (ours; wasm has
// none) by both formulations, input gradient (ours vs wasm's native kernel), and a full
// forward+backward through tf.grads. Every figure is the median of REPEATS timed samples.
import { cpus, loadavg } from 'node:os';

import * as tf from '@tensorflow/tfjs';

import { initBackend, setNativeKernels } from '../src/backend/index.js';
import { replacedNativeKernel } from '../src/backend/register.js';
import { type FilterRoute, type InputRoute, kernelRoutes } from '../src/backend/routes.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const MIN_SAMPLE_MS = 15; // each sample loops the op until at least this long, so timer noise stays small

interface Layer {
  name: string;
  hw: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
}
// Batch 16, 64 px input: stem to stride 2, a 16/32/64/128-channel backbone at strides 4..32,
// and the 1×1 laterals an FPN neck puts on C3..C5.
const BATCH = 16;
const LAYERS: Layer[] = [
  { name: 'stem 3→16 s2', hw: 64, cin: 3, cout: 16, k: 3, stride: 2 },
  { name: 'P2 16→16', hw: 16, cin: 16, cout: 16, k: 3, stride: 1 },
  { name: 'P2→P3 16→32 s2', hw: 16, cin: 16, cout: 32, k: 3, stride: 2 },
  { name: 'P3 32→32', hw: 8, cin: 32, cout: 32, k: 3, stride: 1 },
  { name: 'P3→P4 32→64 s2', hw: 8, cin: 32, cout: 64, k: 3, stride: 2 },
  { name: 'P4 64→64', hw: 4, cin: 64, cout: 64, k: 3, stride: 1 },
  { name: 'P4→P5 64→128 s2', hw: 4, cin: 64, cout: 128, k: 3, stride: 2 },
  { name: 'P5 128→128', hw: 2, cin: 128, cout: 128, k: 3, stride: 1 },
  { name: 'lateral 1×1 32→32', hw: 8, cin: 32, cout: 32, k: 1, stride: 1 },
  { name: 'lateral 1×1 64→32', hw: 4, cin: 64, cout: 32, k: 1, stride: 1 },
  { name: 'lateral 1×1 128→32', hw: 2, cin: 128, cout: 32, k: 1, stride: 1 },
  { name: 'head 3×3 32→32 @P3', hw: 8, cin: 32, cout: 32, k: 3, stride: 1 },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Median milliseconds per call of `op` (which must dispose what it makes). The clock is this
 * process's CPU time (user + system) unless BENCH_CLOCK=wall: wasm runs on one thread, and on a
 * shared machine wall time mostly measures how long the scheduler kept us waiting.
 */
const CLOCK = process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';
const now = (): number => {
  if (CLOCK === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function timeOp(op: () => void): number {
  op();
  op(); // warm-up: XNNPACK operator caches, heap growth
  let inner = 1;
  for (;;) {
    // calibrate the loop count once
    const t0 = now();
    for (let i = 0; i < inner; i++) op();
    if (now() - t0 >= MIN_SAMPLE_MS || inner >= 4096) break;
    inner *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = now();
    for (let i = 0; i < inner; i++) op();
    samples.push((now() - t0) / inner);
  }
  return median(samples);
}

const loadStart = loadavg()[0];
const choice = await initBackend('wasm');
// This bench compares the wasm routes; the oneDNN kernels (when built) have their own: npm run bench:native.
await setNativeKernels(false);
const backend = tf.backend();
const native = replacedNativeKernel('Conv2DBackpropInput');
// Our kernels were registered before the backend initialised, so wasm never ran the native kernel's
// setup (which binds its C function); do it here to time it.
if (native?.setupFunc) native.setupFunc(backend);

const fmt = (flops: number, ms: number): string => (flops / ms / 1e6).toFixed(2);
const rows: string[] = [];
const totals = {
  fwd: [0, 0],
  bpfConv: [0, 0],
  bpfIm2col: [0, 0],
  bpfPatches: [0, 0],
  bpiZero: [0, 0],
  bpi: [0, 0],
  bpiNative: [0, 0],
  full: [0, 0],
};
const add = (k: keyof typeof totals, flops: number, ms: number) => {
  totals[k][0] += flops;
  totals[k][1] += ms;
};

for (const l of LAYERS) {
  const x = tf.randomNormal([BATCH, l.hw, l.hw, l.cin]) as tf.Tensor4D;
  const w = tf.randomNormal([l.k, l.k, l.cin, l.cout]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, l.stride, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const [, oh, ow] = y.shape;
  y.dispose();
  const flops = 2 * BATCH * oh * ow * l.k * l.k * l.cin * l.cout; // per pass (fwd, dW, dx each)
  const attrs = { strides: [l.stride, l.stride], pad: 'same', dataFormat: 'NHWC' };

  const fwd = timeOp(() => tf.conv2d(x, w, l.stride, 'same').dispose());
  const bpf: Record<Exclude<FilterRoute, 'auto'>, number> = { 'dilated-conv': 0, im2col: 0, 'patches-conv': 0 };
  for (const route of ['dilated-conv', 'im2col', 'patches-conv'] as const) {
    kernelRoutes.backpropFilter = route;
    bpf[route] = timeOp(() =>
      (
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor
      ).dispose(),
    );
  }
  kernelRoutes.backpropFilter = 'auto';
  const bpiRoute: Record<Exclude<InputRoute, 'auto'>, number> = { 'zero-insert': NaN, phase: NaN };
  for (const route of ['zero-insert', 'phase'] as const) {
    if (route === 'phase' && (l.stride === 1 || l.k === 1)) continue; // same code path as zero-insert there
    kernelRoutes.backpropInput = route;
    bpiRoute[route] = timeOp(() =>
      (
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor
      ).dispose(),
    );
  }
  kernelRoutes.backpropInput = 'auto';
  const bpi = Math.min(bpiRoute['zero-insert'], Number.isNaN(bpiRoute.phase) ? Infinity : bpiRoute.phase);
  const bpiNative = native
    ? timeOp(() => {
        const out = native.kernelFunc({
          inputs: { dy, filter: w },
          backend,
          attrs: { ...attrs, inputShape: x.shape },
        }) as tf.TensorInfo;
        backend.disposeData(out.dataId);
      })
    : NaN;
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, l.stride, 'same'),
  );
  const full = timeOp(() => {
    const t = tf.tidy(() => grads([x, w], dy));
    tf.dispose(t);
  });
  add('fwd', flops, fwd);
  add('bpfConv', flops, bpf['dilated-conv']);
  add('bpfIm2col', flops, bpf.im2col);
  add('bpfPatches', flops, bpf['patches-conv']);
  add('bpiZero', flops, bpiRoute['zero-insert']);
  add('bpi', flops, bpi);
  add('bpiNative', flops, bpiNative);
  add('full', 3 * flops, full);
  const phaseCell = Number.isNaN(bpiRoute.phase) ? '–' : fmt(flops, bpiRoute.phase);
  rows.push(
    `| ${l.name} | ${l.hw}→${oh} | ${(flops / 1e6).toFixed(1)} | ${fmt(flops, fwd)} | ${fmt(flops, bpf['dilated-conv'])} | ` +
      `${fmt(flops, bpf.im2col)} | ${fmt(flops, bpf['patches-conv'])} | ${fmt(flops, bpiRoute['zero-insert'])} | ${phaseCell} | ${fmt(flops, bpiNative)} | ` +
      `${fmt(3 * flops, full)} | ${full.toFixed(2)} |`,
  );
  tf.dispose([x, w, dy]);
}

const T = (k: keyof typeof totals) => fmt(totals[k][0], totals[k][1]);
console.log(`backend: ${choice.name} — ${choice.detail.split(';')[0]}`);
console.log(`load average (1 min) at start: ${loadStart.toFixed(2)} on ${cpus().length} CPUs`);
console.log(
  `batch ${BATCH}, ${CLOCK} time, medians of ${REPEATS} samples (each ≥ ${MIN_SAMPLE_MS} ms), GFLOP/s = 2·MACs / time\n`,
);
console.log(
  '| layer | px in→out | MFLOP/pass | fwd | dW dilated-conv | dW im2col | dW patches-conv | dx zero-insert | dx phase | dx wasm native | fwd+bwd (auto routes) | fwd+bwd ms |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(
  `| **all layers (time-weighted)** | | ${(totals.fwd[0] / 1e6).toFixed(1)} | ${T('fwd')} | ${T('bpfConv')} | ${T('bpfIm2col')} | ${T('bpfPatches')} | ` +
    `${T('bpiZero')} | best: ${T('bpi')} | ${T('bpiNative')} | ${T('full')} | ${totals.full[1].toFixed(2)} |`,
);
console.log(`load average (1 min) at end: ${loadavg()[0].toFixed(2)} on ${cpus().length} CPUs`);

// Depthwise 3×3 (the sepconv post-op of NAS-FPN/BiFPN nodes), channel multiplier 1.
const DW: Array<{ name: string; hw: number; c: number; stride: number }> = [
  { name: 'dw 3×3 32ch @P3', hw: 8, c: 32, stride: 1 },
  { name: 'dw 3×3 32ch @P2', hw: 16, c: 32, stride: 1 },
  { name: 'dw 3×3 32ch s2 P2→P3', hw: 16, c: 32, stride: 2 },
];
console.log('\n| depthwise layer | px in→out | MFLOP/pass | fwd | dW depthwise-conv | dW taps | dx |');
console.log('|---|---|---|---|---|---|---|');
for (const l of DW) {
  const x = tf.randomNormal([BATCH, l.hw, l.hw, l.c]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, l.c, 1]) as tf.Tensor4D;
  const y = tf.depthwiseConv2d(x, w, l.stride, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const [, oh, ow] = y.shape;
  y.dispose();
  const flops = 2 * BATCH * oh * ow * 9 * l.c;
  const attrs = { strides: [l.stride, l.stride], pad: 'same', dilations: [1, 1] };
  const fwd = timeOp(() => tf.depthwiseConv2d(x, w, l.stride, 'same').dispose());
  const dwf: Record<string, number> = {};
  for (const route of ['depthwise-conv', 'taps'] as const) {
    kernelRoutes.depthwiseFilter = route;
    dwf[route] = timeOp(() =>
      (
        tf
          .engine()
          .runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor
      ).dispose(),
    );
  }
  kernelRoutes.depthwiseFilter = 'auto';
  const dx = timeOp(() =>
    (
      tf
        .engine()
        .runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy, filter: w },
          { ...attrs, inputShape: x.shape },
        ) as tf.Tensor
    ).dispose(),
  );
  console.log(
    `| ${l.name} | ${l.hw}→${oh} | ${(flops / 1e6).toFixed(1)} | ${fmt(flops, fwd)} | ${fmt(flops, dwf['depthwise-conv'])} | ` +
      `${fmt(flops, dwf.taps)} | ${fmt(flops, dx)} |`,
  );
  tf.dispose([x, w, dy]);
}

// The other replaced kernels against wasm's own (milliseconds, not FLOP rates: they move memory).
console.log('\n| kernel (batch 16) | ours ms | wasm native ms |');
console.log('|---|---|---|');
const nativeMs = (name: string, inputs: tf.NamedTensorMap, attrs: object): number => {
  const k = replacedNativeKernel(name);
  if (!k) return NaN;
  k.setupFunc?.(backend);
  return timeOp(() => {
    const out = k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
    backend.disposeData(out.dataId);
  });
};
const other = (label: string, name: string, inputs: tf.NamedTensorMap, attrs: object): void => {
  const ours = timeOp(() => (tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor).dispose());
  console.log(`| ${label} | ${ours.toFixed(2)} | ${nativeMs(name, inputs, attrs).toFixed(2)} |`);
};
{
  const x = tf.randomNormal([BATCH, 32, 32, 32]) as tf.Tensor4D;
  const y = tf.maxPool(x, 3, 2, 'same');
  const dyPool = tf.randomNormal(y.shape);
  other(
    'MaxPoolGrad 3×3 s2, 32×32×32 → 16×16',
    'MaxPoolGrad',
    { dy: dyPool, input: x, output: y },
    { filterSize: 3, strides: 2, pad: 'same' },
  );
  const small = tf.randomNormal([BATCH, 16, 16, 32]);
  const dyUp = tf.randomNormal([BATCH, 32, 32, 32]);
  other(
    'ResizeNearestNeighborGrad 16→32 px, 32 ch',
    'ResizeNearestNeighborGrad',
    { images: small, dy: dyUp },
    { alignCorners: false, halfPixelCenters: false },
  );
  const scale = tf.randomNormal([1, 1, 1, 32]);
  other('Tile [1,1,1,32] → [16,32,32,32] (batch-norm gradient)', 'Tile', { x: scale }, { reps: [BATCH, 32, 32, 1] });
  tf.dispose([x, y, dyPool, small, dyUp, scale]);
}
console.log(`\nnumTensors after: ${tf.memory().numTensors}`);
