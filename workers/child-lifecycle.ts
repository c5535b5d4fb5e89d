// When a pool child process must be replaced. A trial runs in a long-lived child so TensorFlow.js and its
// wasm heap load once, but a child is only as healthy as its last trial left it: after a wasm trap
// ("memory access out of bounds"), an allocation failure or a backend error the heap is in an unknown
// state and such a child fails every later trial the same way, quickly, so it would take work away from
// healthy children. Wasm memory also never shrinks, so one large trial leaves a child holding gigabytes.
// The rule: a child is kept only after a clean answer (a result, or an invalid-job refusal), and is
// recycled after `maxTrialsPerChild` trials or when its resident memory after a trial exceeds
// `maxChildRssMB`.

export interface RecyclePolicy {
  /** Trials a child runs before it is replaced (bounds slow leaks). */
  maxTrialsPerChild: number;
  /** Resident set size (MB) above which a child is replaced after its trial. */
  maxChildRssMB: number;
}

/** A default-proxy trial process holds ~500 MB after its trial (npm run bench:pool); 2 GB means a big trial grew its heap. */
export const DEFAULT_RECYCLE_POLICY: Readonly<RecyclePolicy> = Object.freeze({
  maxTrialsPerChild: 20,
  maxChildRssMB: 2048,
});

export type RetireReason =
  /** The trial threw an engine error (wasm trap, out of memory, backend failure). */
  | 'engine-error'
  /** The trial threw some other unexpected error: the child's state is not trusted either. */
  | 'error'
  /** The trial overran its time limit and the child was killed. */
  | 'timeout'
  /** The campaign cancelled the trial (wall-time budget) and the child was killed. */
  | 'cancelled'
  | 'max-trials'
  | 'max-rss';

const ENGINE_NAMES = new Set(['RuntimeError', 'CompileError', 'LinkError', 'RangeError']);
const ENGINE_MESSAGE =
  /memory access out of bounds|out of memory|\boom\b|allocation failed|cannot allocate|failed to allocate|unreachable|abort(ed)?\(|wasm|webassembly|\bbackend\b/i;

/** A wasm/engine failure: WebAssembly.RuntimeError and friends, allocation failures, backend errors. */
export function isEngineError(err: { name?: string; message?: string }): boolean {
  return ENGINE_NAMES.has(err.name ?? '') || ENGINE_MESSAGE.test(err.message ?? '');
}

export type ChildTrialOutcome =
  | { kind: 'result' }
  | { kind: 'invalid' }
  | { kind: 'error'; error: { name?: string; message?: string } }
  | { kind: 'timeout' }
  | { kind: 'cancelled' };

/** Why the child that just ran a trial must go, or undefined to keep it. */
export function retireReason(
  outcome: ChildTrialOutcome,
  trials: number,
  rssMB: number | undefined,
  policy: Readonly<RecyclePolicy>,
): RetireReason | undefined {
  if (outcome.kind === 'error') return isEngineError(outcome.error) ? 'engine-error' : 'error';
  if (outcome.kind === 'timeout' || outcome.kind === 'cancelled') return outcome.kind;
  if (trials >= policy.maxTrialsPerChild) return 'max-trials';
  if (rssMB !== undefined && rssMB > policy.maxChildRssMB) return 'max-rss';
  return undefined;
}
