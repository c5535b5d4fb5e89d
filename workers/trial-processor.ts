// The trial processor: the one function both the embedded pool and BullMQ workers run (docs/architecture.md).
// It treats the job as untrusted input: a payload that does not validate is answered with a result whose
// status is 'invalid' (the status is data: no queue reads it back out of an error message), so it is never
// retried. Training that diverges (an error with a `code`, e.g. NAN_LOSS) is a result with status 'failed':
// retrying a deterministic divergence would only burn compute. Anything else thrown (a bug, an OOM, a lost
// backend) propagates as transient, so the queue retries it with backoff.
import { hostname } from 'node:os';

import { z } from 'zod';

import { graphHash, parseGraph } from '../src/graph/index.js';
import { identityOf, jobProxyHash } from '../src/trial/identity.js';
import { type ProxyTaskConfig, proxyTaskSchema } from '../src/trial/proxy-task.js';
import {
  type TrainCheckpoint,
  type Trainer,
  type TrainProgress,
  TRIAL_STATUS,
  type TrialJob,
  type TrialResult,
} from '../src/trial/types.js';
import { isUsageError, PyramidNasError } from '../src/util/errors.js';
import { issuesText, joinPath, zodIssues } from '../src/util/zod-issues.js';

/**
 * A payload that can never succeed. The processor and the pool answer it as an 'invalid' result; where it
 * must fail a BullMQ job instead (a job the worker refuses before any processing), `name` stays
 * 'UnrecoverableError' so BullMQ does not retry it.
 */
export class InvalidTrialError extends PyramidNasError {
  constructor(message: string) {
    super('INVALID_TRIAL', message);
    // BullMQ recognises an unrecoverable error by this name (as well as by class), and across the sandbox
    // boundary only own properties survive (BullMQ's errorToJSON).
    this.name = 'UnrecoverableError';
  }
}

/** How every InvalidTrialError's message starts, for the people reading it; no code parses it. */
export const INVALID_PREFIX = 'invalid trial job:';

/** The 'invalid' answer to a job that can never run: the refusal, as a result. */
export function invalidResult(job: unknown, err: InvalidTrialError): TrialResult {
  const trialId = (job as { trialId?: unknown } | null)?.trialId;
  return {
    trialId: typeof trialId === 'string' ? trialId : '',
    status: TRIAL_STATUS.invalid,
    error: err.message,
    wallSeconds: 0,
    ...identityOf(job),
  };
}

/** Largest job (serialized) a worker accepts, a rung's checkpoint aside: a 256-node graph is ~40 kB. */
export const MAX_JOB_BYTES = 1_000_000;

/**
 * Largest checkpoint (serialized) a successive-halving job may carry: the neck's and head's weights and
 * Adam's two moments, base64. At the default proxy the zoo's take 1.3 MB (BiFPN) to 12.4 MB (MLFPN):
 * `npm run bench:asha-fidelity -- --sizes`.
 */
export const MAX_CHECKPOINT_BYTES = 64_000_000;

const rungSchema = z.strictObject({
  rung: z.number().int().min(0).max(63),
  steps: z.number().int().min(1).max(1_000_000),
  // Its fields are the trainer's to check (src/train/checkpoint-state.ts); here only its envelope.
  checkpoint: z.looseObject({ format: z.string(), step: z.number().int().min(0) }).optional(),
});

// `evaluate`'s jobs: scored on the test split, seed k as the runs numbered from k (TrialScoring).
const scoringSchema = z.strictObject({
  split: z.literal('test'),
  testImages: z.number().int().min(1).max(10_000_000),
  firstRun: z.number().int().min(0).max(999_999_999),
});

const jobSchema = z.strictObject({
  campaign: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  trialId: z.string().regex(/^[A-Za-z0-9_-]{1,64}-\d{1,9}$/),
  index: z.number().int().min(0).max(999_999_999),
  graph: z.unknown(),
  // The training module's own schema: strict, bounded (imageSize ≤ 1024, …), fills its defaults.
  proxy: proxyTaskSchema,
  // Enforced by the pool or runner around the processor (workers/trial-timeout.ts); a week at most.
  timeoutSeconds: z.number().positive().max(604_800).optional(),
  // Successive halving: the rung to train, and the checkpoint to continue from.
  rung: rungSchema.optional(),
  // Absent: the held-out split, as every campaign trial is scored.
  scoring: scoringSchema.optional(),
  // Identity (src/trial/identity.ts): checked against the payload below, echoed in the result.
  runId: z
    .string()
    .regex(/^[0-9a-f]{12}$/)
    .optional(),
  graphHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  proxyHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** Validates an untrusted job payload; throws InvalidTrialError listing every problem with its JSON path. */
export function validateTrialJob(data: unknown): TrialJob {
  let size: number;
  let checkpointSize = 0;
  try {
    size = JSON.stringify(data)?.length ?? 0;
    const checkpoint = (data as { rung?: { checkpoint?: unknown } } | null)?.rung?.checkpoint;
    if (checkpoint !== undefined) checkpointSize = JSON.stringify(checkpoint)?.length ?? 0;
  } catch (err) {
    // A RangeError here is the call stack running out: arrays or objects nested far too deeply.
    const why = err instanceof RangeError ? 'nested too deeply to serialize' : 'not JSON-serializable';
    throw new InvalidTrialError(`invalid trial job: payload is ${why}`);
  }
  if (checkpointSize > MAX_CHECKPOINT_BYTES)
    throw new InvalidTrialError(
      `invalid trial job: $.rung.checkpoint is ${checkpointSize} bytes (limit ${MAX_CHECKPOINT_BYTES})`,
    );
  if (size - checkpointSize > MAX_JOB_BYTES)
    throw new InvalidTrialError(
      `invalid trial job: payload is ${size - checkpointSize} bytes${checkpointSize ? ' besides its checkpoint' : ''} (limit ${MAX_JOB_BYTES})`,
    );
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success) {
    throw new InvalidTrialError(`invalid trial job: ${issuesText(zodIssues(parsed.error))}`);
  }
  const job = parsed.data;
  if (job.trialId !== `${job.campaign}-${job.index}`) {
    throw new InvalidTrialError(
      `invalid trial job: $.trialId: expected "${job.campaign}-${job.index}", got "${job.trialId}"`,
    );
  }
  // A rung is a campaign's partial training, scored on the held-out split for the next promotion.
  if (job.rung !== undefined && job.scoring !== undefined) {
    throw new InvalidTrialError(
      'invalid trial job: $.scoring: a successive-halving rung job ($.rung) cannot be scored on the test split',
    );
  }
  const g = parseGraph(job.graph);
  if (!g.ok) {
    const msgs = g.errors.slice(0, 10).map((e) => `${joinPath('$.graph', e.path)}: ${e.message} (${e.code})`);
    throw new InvalidTrialError(
      `invalid trial job: ${msgs.join('; ')}${g.errors.length > 10 ? `; … ${g.errors.length - 10} more` : ''}`,
    );
  }
  // The echoed hashes must describe what is trained here, or the echo would prove nothing.
  if (job.graphHash !== undefined && graphHash(g.graph) !== job.graphHash) {
    throw new InvalidTrialError(
      `invalid trial job: $.graphHash: ${job.graphHash.slice(0, 12)} is not the hash of $.graph (${graphHash(g.graph).slice(0, 12)})`,
    );
  }
  // A test-split job's hash covers its scoring too (jobProxyHash), so it can never pass for a held-out trial's.
  if (job.proxyHash !== undefined && jobProxyHash(job) !== job.proxyHash) {
    const what = job.scoring === undefined ? '$.proxy' : '$.proxy with $.scoring';
    throw new InvalidTrialError(
      `invalid trial job: $.proxyHash: ${job.proxyHash.slice(0, 12)} is not the hash of ${what} as this worker resolves it (${jobProxyHash(job).slice(0, 12)}); are the campaign and the worker different pyramid-nas versions?`,
    );
  }
  return { ...job, graph: g.graph, proxy: job.proxy as ProxyTaskConfig };
}

export interface ProcessOptions {
  trainer: Trainer;
  onProgress?(p: TrainProgress): void;
  signal?: AbortSignal;
  worker?: string;
}

/**
 * Validates the payload, trains and evaluates, and answers a TrialResult: complete, failed (a coded
 * training error) or invalid (a payload that can never run). Throws only what is transient (see the header).
 */
export async function processTrial(data: unknown, opts: ProcessOptions): Promise<TrialResult> {
  const worker = opts.worker ?? `${hostname()}:${process.pid}`;
  let job: TrialJob;
  try {
    job = validateTrialJob(data);
  } catch (err) {
    if (err instanceof InvalidTrialError) return invalidResult(data, err);
    throw err;
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const cpuSeconds = () => {
    const d = process.cpuUsage(cpu0);
    return (d.user + d.system) / 1e6;
  };
  let checkpoint: TrainCheckpoint | undefined;
  try {
    const metrics = await opts.trainer(
      job.graph,
      job.proxy,
      { onProgress: opts.onProgress, signal: opts.signal, onCheckpoint: (c) => (checkpoint = c) },
      job,
    );
    return {
      trialId: job.trialId,
      status: TRIAL_STATUS.complete,
      metrics,
      wallSeconds: (performance.now() - t0) / 1000,
      cpuSeconds: cpuSeconds(),
      worker,
      ...identityOf(job),
      // Only a rung job hands a checkpoint on (the next rung continues it).
      ...(job.rung && checkpoint ? { checkpoint } : {}),
    };
  } catch (err) {
    // A trainer may refuse the job too (the graph or proxy is one it can never train), and an input error
    // (a usage error: a dataDir that is a file, a malformed dataset) fails every attempt alike.
    if (err instanceof InvalidTrialError) return invalidResult(job, err);
    if (isUsageError(err))
      return invalidResult(job, new InvalidTrialError(`invalid trial job: ${err.code}: ${err.message}`));
    const code = (err as { code?: unknown }).code;
    // Node system errors carry `errno` as well; those may be transient, so they are retried. An aborted
    // trial (a worker shutting down) is not an answer either: it is retried elsewhere.
    const aborted = code === 'ABORTED' || opts.signal?.aborted === true;
    if (
      typeof code === 'string' &&
      !aborted &&
      (err as { errno?: unknown }).errno === undefined &&
      (err as { name?: unknown }).name !== 'UnrecoverableError'
    ) {
      // A coded training error (NAN_LOSS, …): deterministic for this graph and proxy, so it is the answer.
      const message = err instanceof Error ? err.message : String(err);
      return {
        trialId: job.trialId,
        status: TRIAL_STATUS.failed,
        error: `${code}: ${message}`,
        wallSeconds: (performance.now() - t0) / 1000,
        cpuSeconds: cpuSeconds(),
        worker,
        ...identityOf(job),
      };
    }
    throw err;
  }
}
