// The optional oneDNN addon (native/, built by `npm run build:native`): found, loaded and configured once.
// Loading never throws for a missing or broken addon; the reason is kept for the backend's detail line,
// and the wasm kernels stay in use. Only a malformed environment variable is an error.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { PyramidNasError } from '../util/errors.js';

/** What native/addon.cc exports. */
export interface NativeAddon {
  /** op 0 forward (x, w → y), 1 backward data (dy, w → dx), 2 backward weights (x, dy → dw); byte offsets into heap. */
  conv(op: 0 | 1 | 2, heap: ArrayBuffer, aOffset: number, bOffset: number, outOffset: number, shape: number[]): void;
  /** The oneDNN implementation chosen for an op and shape (e.g. `brgconv:avx512_core`). */
  implementation(op: 0 | 1 | 2, shape: number[]): string;
  /** Sets the OpenMP thread count; returns the count now in effect. */
  setThreads(n: number): number;
  dnnlVersion: string;
}

export type NativeStatus =
  { loaded: true; addon: NativeAddon; file: string; threads: number } | { loaded: false; reason: string };

export const ADDON_FILE_NAME = 'pyramid_nas_dnnl.node';

/** From src/backend/ (tsx) or dist/src/backend/ (the build), the package's native/build/. */
const CANDIDATES = ['../../native/build/', '../../../native/build/'].map((dir) =>
  fileURLToPath(new URL(dir + ADDON_FILE_NAME, import.meta.url)),
);

export interface NativeSettings {
  enabled: boolean;
  threads: number;
}

/**
 * PYRAMID_NAS_NATIVE: `0` disables the addon, `1` or unset uses it when built. PYRAMID_NAS_NATIVE_THREADS: oneDNN's
 * threads per process (default 1: a trial is one process, and trials run side by side on the cores).
 */
export function nativeSettings(env: NodeJS.ProcessEnv = process.env): NativeSettings {
  const on = env.PYRAMID_NAS_NATIVE;
  if (on !== undefined && on !== '' && on !== '0' && on !== '1') {
    throw new PyramidNasError('BAD_ENV', `PYRAMID_NAS_NATIVE must be 0 or 1, got ${JSON.stringify(on)}`, {
      usage: true,
    });
  }
  const t = env.PYRAMID_NAS_NATIVE_THREADS;
  const threads = t === undefined || t === '' ? 1 : Number(t);
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new PyramidNasError(
      'BAD_ENV',
      `PYRAMID_NAS_NATIVE_THREADS must be an integer from 1 to 1024, got ${JSON.stringify(t)}`,
      { usage: true },
    );
  }
  return { enabled: on !== '0', threads };
}

let status: NativeStatus | null = null;

/** The addon, loaded on first call (or why not). Throws only for a malformed environment variable. */
export function loadNativeAddon(): NativeStatus {
  if (status) return status;
  const settings = nativeSettings();
  status = settings.enabled ? tryLoad(settings.threads) : { loaded: false, reason: 'disabled (PYRAMID_NAS_NATIVE=0)' };
  return status;
}

function tryLoad(threads: number): NativeStatus {
  const file = CANDIDATES.find((f) => existsSync(f));
  if (!file) return { loaded: false, reason: 'not built (npm run build:native)' };
  // oneDNN runs on OpenMP, whose idle threads spin by default; trials run side by side, one per core, and
  // a spinning thread steals its neighbour's core (bench:peer's PyTorch peer, timed between the addon's
  // steps, ran 20–30% slower at 128 px). OpenMP reads this when the addon loads it; a user's value is kept.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon;
    if (typeof addon.conv !== 'function' || typeof addon.setThreads !== 'function') {
      return { loaded: false, reason: `${file} is not the pyramid-nas oneDNN addon` };
    }
    return { loaded: true, addon, file, threads: addon.setThreads(threads) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { loaded: false, reason: `failed to load: ${msg.split('\n')[0].slice(0, 160)}` };
  }
}
