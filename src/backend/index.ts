// Public surface of the backend module. Importing it loads no tfjs code: `initBackend` and
// `registerWasmGradKernels` import TensorFlow.js on first call, so CLI commands that never train
// pay nothing.
export { initBackend, currentBackend, BACKEND_NAMES, type BackendName, type BackendChoice } from './select.js';

/**
 * Registers the pyramid-nas kernels for wasm, the faster Tile gradient and the fixed cpu
 * ResizeNearestNeighborGrad (idempotent; `initBackend` calls it for wasm and cpu). Returns the wasm kernel names.
 */
export async function registerWasmGradKernels(): Promise<string[]> {
  const { registerWasmGradKernelsNow } = await import('./register.js');
  return registerWasmGradKernelsNow();
}

/**
 * Switches the oneDNN kernels (the optional addon, `npm run build:native`) on or off for wasm, e.g. to compare
 * both in one process; `initBackend` switches them on when the addon loads. Returns the kernels now native and a
 * line for logs. Without the addon (or with PYRAMID_NAS_NATIVE=0) it changes nothing.
 */
export async function setNativeKernels(on: boolean): Promise<{ kernels: string[]; detail: string }> {
  const { setNativeKernelsNow } = await import('./native-register.js');
  return setNativeKernelsNow(on);
}
