// Tile for wasm, and a faster gradient for Tile (all backends).
// wasm's Tile kernel computes every output index on its own (~40 ns/element): tiling a
// [16,32,32,16] tensor ×2 took ~20 ms, and tf.batchNorm's gradient and tf.broadcastTo both run Tile
// on full activations. A broadcasting multiply by ones does the same copy through wasm's vectorised
// binary kernel (~50× faster): per tiled axis, x as [outer, 1, inner] times ones [1, r, 1] is
// tile along that axis (multiplying by 1 is exact, NaN and -0 included).
// tfjs-core's Tile gradient slices and adds once per repetition (1,024 slices for a 32×32 broadcast,
// ~0.6 s on wasm); summing the reshaped dy over the repetition axes is the same sum in one pass.
import {
  clone,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  mul,
  type NamedAttrMap,
  ones,
  registerGradient,
  reshape,
  sum,
  type Tensor,
  type TensorInfo,
  tidy,
  Tile,
  type TileAttrs,
  zeros,
} from '@tensorflow/tfjs-core';

import { wrapInput } from './wrap.js';

function checkReps(shape: readonly number[], reps: readonly number[]): void {
  if (reps.length !== shape.length || !reps.every((r) => Number.isInteger(r) && r >= 0)) {
    throw new Error(`Tile: reps [${reps}] must be ${shape.length} non-negative integers (x shape [${shape}])`);
  }
}

export function tileByBroadcast(x: Tensor, reps: readonly number[]): Tensor {
  checkReps(x.shape, reps);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  if (outShape.some((d) => d === 0)) return zeros(outShape, x.dtype);
  // One axis at a time as a rank-3 broadcast [outer, 1, inner] · [1, r, 1]: wasm's binary kernels
  // support at most 6 dimensions (beyond that they read garbage), and every later step is smaller
  // or equal to the output, so this costs at most a few passes over it.
  let cur = x;
  for (let i = 0; i < reps.length; i++) {
    const r = reps[i];
    if (r === 1) continue;
    const outer = cur.shape.slice(0, i).reduce((a, b) => a * b, 1);
    const inner = cur.shape.slice(i).reduce((a, b) => a * b, 1);
    const next = [...cur.shape];
    next[i] *= r;
    cur = reshape(mul(reshape(cur, [outer, 1, inner]), ones([1, r, 1], x.dtype)), next);
  }
  return cur === x ? clone(x) : cur;
}

/** d tile(x, reps) / dx: dy summed over the repetitions, one axis at a time (3-D sums stay fast on wasm). */
export function tileGrad(dy: Tensor, xShape: readonly number[], reps: readonly number[]): Tensor {
  checkReps(xShape, reps);
  let cur = dy;
  for (let i = xShape.length - 1; i >= 0; i--) {
    const r = reps[i];
    if (r === 1) continue;
    const outer = cur.shape.slice(0, i).reduce((a, b) => a * b, 1);
    const inner = xShape[i] * cur.shape.slice(i + 1).reduce((a, b) => a * b, 1);
    const shape = [...cur.shape.slice(0, i), xShape[i], ...cur.shape.slice(i + 1)];
    cur = reshape(sum(reshape(cur, [outer, r, inner]), 1), shape);
  }
  return cur;
}

const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] =>
  tidy(() => tileByBroadcast(wrapInput(backend, inputs.x as TensorInfo), (attrs as unknown as TileAttrs).reps));

/** Only for the dtypes `mul` handles; others (string, bool) stay with wasm's own Tile. */
export function tileApplies(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'int32';
}

export function makeTileConfig(fallback: KernelConfig | undefined): KernelConfig {
  let fallbackReady = false;
  return {
    kernelName: Tile,
    backendName: 'wasm',
    kernelFunc: ((args: Parameters<KernelFunc>[0]) => {
      const x = args.inputs.x as TensorInfo;
      if (!tileApplies(x.dtype) && fallback) {
        // Unregistered before wasm initialised, the native kernel never had its C function bound.
        if (!fallbackReady) {
          fallback.setupFunc?.(args.backend as never);
          fallbackReady = true;
        }
        return fallback.kernelFunc(args);
      }
      return kernelFunc(args);
    }) as unknown as KernelFunc,
  };
}

export const tileGradConfig: GradConfig = {
  kernelName: Tile,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    const { reps } = attrs as unknown as TileAttrs;
    return { x: () => tileGrad(dy as Tensor, x.shape, reps) };
  },
};

export function registerTileGradient(): void {
  registerGradient(tileGradConfig);
}
