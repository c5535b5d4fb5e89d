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
