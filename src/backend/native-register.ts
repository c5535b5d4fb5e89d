// Turns the oneDNN kernels on or off for the wasm backend and describes the result for the backend's detail line.
// Call after the project's wasm kernels are registered: the native kernels fall back to whatever they replace.
import { loadNativeAddon } from './native.js';
import { switchNativeKernels } from './native-kernels.js';

export interface NativeKernelState {
  /** The kernel names the addon now computes (empty when off or unavailable). */
  kernels: string[];
  /** For logs: `native oneDNN 2.6.3, 1 thread: Conv2D, …` or `native oneDNN off: <why>`. */
  detail: string;
}

/** Registers (on, the default) or removes the native kernels. Without a loadable addon it changes nothing. */
export function setNativeKernelsNow(on = true): NativeKernelState {
  const status = loadNativeAddon();
  if (!status.loaded) return { kernels: [], detail: `native oneDNN off: ${status.reason}` };
  const kernels = switchNativeKernels(status.addon, on);
  if (!on) return { kernels, detail: 'native oneDNN off: switched off' };
  const threads = `${status.threads} thread${status.threads === 1 ? '' : 's'}`;
  return { kernels, detail: `native oneDNN ${status.addon.dnnlVersion}, ${threads}: ${kernels.join(', ')}` };
}
