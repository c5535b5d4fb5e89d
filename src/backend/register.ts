// Registers pyramid-nas's kernels for the wasm backend. Loaded lazily (it pulls in tfjs-core);
// call through `registerWasmGradKernels` in ./index.ts.
import {
  getGradient,
  getKernel,
  type GradConfig,
  type KernelConfig,
  registerKernel,
  Tile,
  unregisterKernel,
} from '@tensorflow/tfjs-core';

import { wasmGradKernelConfigs } from './kernel-list.js';
import { resizeNearestGradCpuConfig } from './resize-nearest-grad.js';
import { makeTileConfig, registerTileGradient } from './tile.js';

/** wasm's own kernels that ours replace, kept so benchmarks and tests can compare against them. */
const replacedNative = new Map<string, KernelConfig>();
let originalTileGrad: GradConfig | undefined;
let registered: string[] | null = null;

function replace(config: KernelConfig): void {
  const existing = getKernel(config.kernelName, config.backendName);
  if (existing) {
    if (config.backendName === 'wasm') replacedNative.set(config.kernelName, existing);
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

/**
 * Registers (once) every custom wasm kernel, replacing wasm's own version where one exists
 * (Conv2DBackpropInput, Tile, ResizeNearestNeighborGrad), the faster Tile gradient (a gradient is
 * backend-independent, so that one applies to every backend) and a fixed cpu
 * ResizeNearestNeighborGrad. Returns the wasm kernel names. Safe before or after
 * `setBackend('wasm')`: the kernels need no per-backend setup.
 */
export function registerWasmGradKernelsNow(): string[] {
  if (registered) return registered;
  for (const config of wasmGradKernelConfigs) replace(config);
  replace(makeTileConfig(getKernel(Tile, 'wasm')));
  originalTileGrad = getGradient(Tile);
  registerTileGradient();
  // A correctness fix for the cpu backend (wrong for batch > 1); cpu is the fallback backend and the
  // reference the tests compare wasm against.
  replace(resizeNearestGradCpuConfig);
  registered = [...wasmGradKernelConfigs.map((c) => c.kernelName), Tile];
  return registered;
}

/** wasm's own kernel that ours replaced (e.g. 'Conv2DBackpropInput'), or undefined. */
export function replacedNativeKernel(kernelName: string): KernelConfig | undefined {
  return replacedNative.get(kernelName);
}

/** tfjs-core's Tile gradient as it was before ours replaced it (the reference in tests). */
export function replacedTileGradient(): GradConfig | undefined {
  return originalTileGrad;
}
