// Backend selection: `tensorflow` (native libtensorflow through tfjs-node-gpu / tfjs-node) when one
// of those optional packages loads, else `wasm` (with our gradient kernels), else the pure-JS `cpu`.
// Everything tfjs is imported dynamically so merely importing this module costs nothing.
// `@tensorflow/tfjs` (not just tfjs-core) is loaded because its bundle is what registers the gradient
// functions, the chained tensor methods and the cpu backend; tfjs-core's node bundle registers none.
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendChoice {
  /** The tfjs backend now active. */
  name: BackendName;
  /** One line for logs: what was loaded and why the better options were not. */
  detail: string;
}

/** Optional native packages, best first. Names are in variables so TypeScript does not resolve them. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

let current: BackendChoice | null = null;
let pending: Promise<BackendChoice> | null = null;

function firstLine(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].slice(0, 160);
}

async function loadTfjs(): Promise<typeof import('@tensorflow/tfjs-core')> {
  await import('@tensorflow/tfjs');
  return import('@tensorflow/tfjs-core');
}

async function tryTensorflow(): Promise<BackendChoice | string> {
  const failures: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      await import(pkg);
      const tf = await loadTfjs();
      if (!(await tf.setBackend('tensorflow'))) throw new Error("backend 'tensorflow' failed to initialise");
      await tf.ready();
      return { name: 'tensorflow', detail: `${pkg} (native libtensorflow)` };
    } catch (err) {
      failures.push(`${pkg}: ${firstLine(err)}`);
    }
  }
  return failures.join('; ');
}

async function tryWasm(): Promise<BackendChoice | string> {
  // A malformed PYRAMID_NAS_NATIVE* variable is the user's error, not a reason to fall back to cpu: check it first.
  const { nativeSettings } = await import('./native.js');
  nativeSettings();
  try {
    const tf = await loadTfjs();
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { registerWasmGradKernelsNow } = await import('./register.js');
    const kernels = registerWasmGradKernelsNow();
    // In Node the backend finds its .wasm files next to its own dist bundle; nothing to set.
    if (!(await tf.setBackend('wasm'))) throw new Error("backend 'wasm' failed to initialise");
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    // After setBackend: the native kernels run the setup of the wasm kernels they fall back to.
    const { setNativeKernelsNow } = await import('./native-register.js');
    const native = setNativeKernelsNow();
    return {
      name: 'wasm',
      detail:
        `@tensorflow/tfjs-backend-wasm ${wasm.version_wasm} (SIMD ${simd ? 'on' : 'off'}, ` +
        `${wasm.getThreadsCount()} thread(s), +${kernels.length} pyramid-nas kernels; ${native.detail})`,
    };
  } catch (err) {
    return `@tensorflow/tfjs-backend-wasm: ${firstLine(err)}`;
  }
}

async function tryCpu(): Promise<BackendChoice | string> {
  try {
    const tf = await loadTfjs();
    // The same registration as for wasm: it also fixes cpu's ResizeNearestNeighborGrad (batch > 1).
    const { registerWasmGradKernelsNow } = await import('./register.js');
    registerWasmGradKernelsNow();
    if (!(await tf.setBackend('cpu'))) throw new Error("backend 'cpu' failed to initialise");
    await tf.ready();
    // The cpu backend prints a multi-line "install tfjs-node" banner on first use; the choice is
    // already reported in `detail`, so mark it as seen.
    const cpu = tf.backend() as unknown as { firstUse?: boolean };
    if (typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
    return { name: 'cpu', detail: '@tensorflow/tfjs-backend-cpu (pure JavaScript, slow for training)' };
  } catch (err) {
    return `@tensorflow/tfjs-backend-cpu: ${firstLine(err)}`;
  }
}

const TRY: Record<BackendName, () => Promise<BackendChoice | string>> = {
  tensorflow: tryTensorflow,
  wasm: tryWasm,
  cpu: tryCpu,
};

async function select(preferred: BackendName | undefined): Promise<BackendChoice> {
  if (preferred !== undefined) {
    const got = await TRY[preferred]();
    if (typeof got === 'string') throw new Error(`backend '${preferred}' is not available: ${got}`);
    return got;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const got = await TRY[name]();
    if (typeof got !== 'string') {
      return skipped.length ? { ...got, detail: `${got.detail}; skipped ${skipped.join('; ')}` } : got;
    }
    skipped.push(got);
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.join('; ')}`);
}

/**
 * Makes a backend active and returns which. With no argument (or 'auto'): the best available, chosen once
 * (later calls return the same choice). With a name: that backend or a clear error, switching to it
 * if another is active. Await it before creating any tensor.
 */
export async function initBackend(preferred?: BackendName | 'auto' | string): Promise<BackendChoice> {
  if (preferred !== undefined && preferred !== 'auto' && !BACKEND_NAMES.includes(preferred as BackendName)) {
    throw new Error(`unknown backend '${preferred}': expected one of ${BACKEND_NAMES.join(', ')} (or auto)`);
  }
  const want = preferred === 'auto' ? undefined : (preferred as BackendName | undefined);
  while (pending) await pending.catch(() => undefined); // one selection at a time
  if (current && (want === undefined || want === current.name)) return current;
  pending = select(want);
  try {
    current = await pending;
    return current;
  } finally {
    pending = null;
  }
}

/** The backend chosen by the last successful `initBackend`, or null. */
export function currentBackend(): BackendChoice | null {
  return current;
}
