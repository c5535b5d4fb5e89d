// The trial processor: the one function both the embedded pool and BullMQ workers run (DESIGN.md §9).
// It treats the job as untrusted input: a payload that does not validate is an InvalidTrialError, which
// is BullMQ's UnrecoverableError (no retries). Training that diverges (an error with a `code`, e.g.
// NAN_LOSS) is a *result* with status 'failed', not a job failure: retrying a deterministic divergence
// would only burn compute. Anything else thrown (a bug, an OOM, a lost backend) propagates as transient,
// so the queue retries it with backoff.
import { hostname } from 'node:os';
import { z } from 'zod';
import { UnrecoverableError } from 'bullmq';
import type { TrialJob, TrialResult } from './types.js';
import type { TrialMetrics } from '../controllers/types.js';
import type { PyramidGraph } from '../src/graph/types.js';
import type { ProxyTaskConfig } from '../src/train/proxy-config.js';
import { graphHash, parseGraph } from '../src/graph/index.js';
import { identityOf, proxyHash } from './trial-identity.js';
import { proxyTaskSchema } from '../src/train/config.js';

// Type-only: erased at run time, so the campaign process never loads TensorFlow.js through it.
import type { TrainHooks, TrainProgress } from '../src/train/trial.js';
export type { TrainHooks, TrainProgress };
/** trainAndEvaluate's shape; the job is passed too so test doubles can key behaviour on the trial. */
export type Trainer = (graph: PyramidGraph, proxy: ProxyTaskConfig, hooks: TrainHooks, job: TrialJob) => Promise<TrialMetrics>;

/** A payload that can never succeed. `name` stays 'UnrecoverableError' so BullMQ (and a sandbox boundary) recognise it. */
export class InvalidTrialError extends UnrecoverableError {
  readonly code = 'INVALID_TRIAL';
  constructor(message: string) {
    super(message);
    // Across the sandbox boundary only own properties survive (BullMQ's errorToJSON), and BullMQ
    // recognises an unrecoverable error by this name.
    this.name = 'UnrecoverableError';
  }
}

/** The message prefix of every InvalidTrialError: how a queue tells 'invalid' from 'failed' after the fact. */
export const INVALID_PREFIX = 'invalid trial job:';

/** Largest job (serialized) a worker accepts: a 256-node graph is ~40 kB. */
export const MAX_JOB_BYTES = 1_000_000;


const jobSchema = z.strictObject({
  campaign: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  trialId: z.string().regex(/^[A-Za-z0-9_-]{1,64}-\d{1,9}$/),
  index: z.number().int().min(0).max(999_999_999),
  graph: z.unknown(),
  // The training module's own schema: strict, bounded (imageSize ≤ 1024, …), fills its defaults.
  proxy: proxyTaskSchema,
  // Enforced by the pool or runner around the processor (workers/trial-timeout.ts); a week at most.
  timeoutSeconds: z.number().positive().max(604_800).optional(),
  // Identity (trial-identity.ts): checked against the payload below, echoed in the result.
  runId: z.string().regex(/^[0-9a-f]{12}$/).optional(),
  graphHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  proxyHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

function zodPath(path: ReadonlyArray<PropertyKey>): string {
  return '$' + path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
}

/** Validates an untrusted job payload; throws InvalidTrialError listing every problem with its JSON path. */
export function validateTrialJob(data: unknown): TrialJob {
  let size: number;
  try {
    size = JSON.stringify(data)?.length ?? 0;
  } catch {
    throw new InvalidTrialError('invalid trial job: payload is not JSON-serializable');
  }
  if (size > MAX_JOB_BYTES) throw new InvalidTrialError(`invalid trial job: payload is ${size} bytes (limit ${MAX_JOB_BYTES})`);
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success) {
    const msgs = parsed.error.issues.map((i) => `${zodPath(i.path)}: ${i.message}`);
    throw new InvalidTrialError(`invalid trial job: ${msgs.join('; ')}`);
  }
  const job = parsed.data;
  if (job.trialId !== `${job.campaign}-${job.index}`) {
    throw new InvalidTrialError(`invalid trial job: $.trialId: expected "${job.campaign}-${job.index}", got "${job.trialId}"`);
  }
  const g = parseGraph(job.graph);
  if (!g.ok) {
    const at = (p: string) => (p === '$' ? '$.graph' : p.startsWith('[') ? `$.graph${p}` : `$.graph.${p.replace(/^\$\.?/, '')}`);
    const msgs = g.errors.slice(0, 10).map((e) => `${at(e.path)}: ${e.message} (${e.code})`);
    throw new InvalidTrialError(`invalid trial job: ${msgs.join('; ')}${g.errors.length > 10 ? `; … ${g.errors.length - 10} more` : ''}`);
  }
  // The echoed hashes must describe what is trained here, or the echo would prove nothing.
  if (job.graphHash !== undefined && graphHash(g.graph) !== job.graphHash) {
    throw new InvalidTrialError(`invalid trial job: $.graphHash: ${job.graphHash.slice(0, 12)} is not the hash of $.graph (${graphHash(g.graph).slice(0, 12)})`);
  }
  if (job.proxyHash !== undefined && proxyHash(job.proxy) !== job.proxyHash) {
    throw new InvalidTrialError(`invalid trial job: $.proxyHash: ${job.proxyHash.slice(0, 12)} is not the hash of $.proxy as this worker resolves it (${proxyHash(job.proxy).slice(0, 12)}); are the campaign and the worker different pyramid-nas versions?`);
  }
  return { ...job, graph: g.graph, proxy: job.proxy as ProxyTaskConfig };
}

export interface ProcessOptions {
  trainer: Trainer;
  onProgress?(p: TrainProgress): void;
  signal?: AbortSignal;
  worker?: string;
}

/** Validates the payload, trains and evaluates, and answers a TrialResult (or throws; see the header). */
export async function processTrial(data: unknown, opts: ProcessOptions): Promise<TrialResult> {
  const job = validateTrialJob(data);
  const t0 = performance.now();
  const worker = opts.worker ?? `${hostname()}:${process.pid}`;
  try {
    const metrics = await opts.trainer(job.graph, job.proxy, { onProgress: opts.onProgress, signal: opts.signal }, job);
    return { trialId: job.trialId, status: 'complete', metrics, wallSeconds: (performance.now() - t0) / 1000, worker, ...identityOf(job) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // Node system errors carry `errno` as well; those may be transient, so they are retried. An aborted
    // trial (a worker shutting down) is not an answer either: it is retried elsewhere.
    const aborted = code === 'ABORTED' || opts.signal?.aborted === true;
    if (typeof code === 'string' && !aborted && (err as { errno?: unknown }).errno === undefined && !(err instanceof UnrecoverableError)) {
      // A coded training error (NAN_LOSS, …): deterministic for this graph and proxy, so it is the answer.
      const message = err instanceof Error ? err.message : String(err);
      return { trialId: job.trialId, status: 'failed', error: `${code}: ${message}`, wallSeconds: (performance.now() - t0) / 1000, worker, ...identityOf(job) };
    }
    throw err;
  }
}
