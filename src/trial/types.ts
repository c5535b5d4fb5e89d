// The trial contract: what a campaign sends to whoever runs a trial (TrialJob), what comes back
// (TrialResult), what a controller is told (TrialOutcome), and the trainer's signature both sides agree on.
// The embedded pool and BullMQ workers carry the same messages; only types and one value live here.
import type { CocoStats } from '../eval/types.js';
import type { PyramidGraph } from '../graph/types.js';
import type { ProxyTaskConfig } from './proxy-task.js';

/**
 * How a trial ended, as a value (never read back out of an error message):
 * - complete: trained and evaluated; the result has metrics;
 * - failed: it ran and could not finish (diverged, timed out, attempts exhausted);
 * - invalid: the job can never run (it does not validate, or exceeds the resource limits); not retried.
 */
export const TRIAL_STATUS = Object.freeze({ complete: 'complete', failed: 'failed', invalid: 'invalid' } as const);
export type TrialStatus = (typeof TRIAL_STATUS)[keyof typeof TRIAL_STATUS];

/** What a trial measured (COCO-style AP on the held-out split, plus costs). */
export interface TrialMetrics {
  AP: number;
  AP50: number;
  AP75: number;
  APs: number;
  APm: number;
  APl: number;
  params: number;
  macs: number;
  trainSeconds: number;
  evalSeconds: number;
  backend: string;
  [extra: string]: number | string;
}

/** The outcome the campaign tells a controller. `metrics` is present exactly when status is 'complete'. */
export interface TrialOutcome {
  status: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
}

/**
 * A training run's state at a step (src/train/checkpoint-state.ts): what one rung of successive halving
 * hands to the next. Opaque here; the trainer validates it.
 */
export interface TrainCheckpoint {
  format: string;
  step: number;
  [key: string]: unknown;
}

/**
 * One rung of successive halving (src/campaign/scheduler/): train until step `steps` of the proxy task's
 * `steps` (its learning-rate schedule is the full run's), continuing from `checkpoint` when given.
 */
export interface TrialRung {
  /** 0 is the lowest rung (where every trial starts). */
  rung: number;
  steps: number;
  checkpoint?: TrainCheckpoint;
}

/**
 * How a job's training is scored when it is not a campaign trial: `evaluate` scores on the **test** split
 * (`testImages` images), its seed k as the trainer's runs numbered from `firstRun` = k. A campaign never sets it.
 */
export interface TrialScoring {
  split: 'test';
  testImages: number;
  firstRun: number;
}

/** The message a trial is carried in, through the embedded pool or BullMQ (the job data). */
export interface TrialJob {
  campaign: string;
  /** `<campaign>-<index>`: the trial's name in files and logs (the BullMQ jobId adds the run id). */
  trialId: string;
  index: number;
  graph: PyramidGraph;
  proxy: ProxyTaskConfig;
  /** The campaign's trialTimeoutSeconds: whoever runs the trial stops it after this long (absent: no limit). */
  timeoutSeconds?: number;
  /** Set by a successive-halving campaign: which rung this job trains (absent: the whole proxy task). */
  rung?: TrialRung;
  /** Set by `evaluate` only: score on the test split (absent: the held-out split, as every campaign trial). */
  scoring?: TrialScoring;
  /**
   * Identity (identity.ts), set by campaigns: the run that asked, the graph's canonical hash and the
   * resolved proxy task's hash. The processor checks the hashes and echoes all three in its result.
   */
  runId?: string;
  graphHash?: string;
  proxyHash?: string;
}

/** The answer to a TrialJob. */
export interface TrialResult {
  trialId: string;
  status: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
  /** Seconds the processor spent on the trial, end to end. */
  wallSeconds: number;
  /** CPU seconds (user + system) the processing process used on it, all threads. */
  cpuSeconds?: number;
  worker?: string;
  /** The job's rung, echoed (rung jobs only). */
  rung?: number;
  /** The training state at the rung's last step, before evaluation: what the next rung continues from. */
  checkpoint?: TrainCheckpoint;
  /** The job's identity, echoed: a campaign uses a result only if these are the ones it asked with. */
  runId?: string;
  graphHash?: string;
  proxyHash?: string;
}

/** Training progress, reported by the trainer and forwarded to the campaign (and the dashboard). */
export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  imagesPerSecond: number;
}

export interface TrainHooks {
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Called once the backend is chosen (the CLI logs it). */
  onBackend?: (b: { name: string; detail: string }) => void;
  /** Called after each run of a trial (task.runs > 1) with that run's held-out statistics. */
  onRunEnd?: (run: number, stats: CocoStats) => void;
  /** A rung job's training state, taken after its last step and before evaluation (successive halving). */
  onCheckpoint?: (state: TrainCheckpoint) => void;
}

/**
 * What trains and evaluates one trial: trainAndEvaluate's shape. The job is passed too, so test doubles
 * can key behaviour on the trial. Throws an error with a string `code` (NAN_LOSS, …) for a deterministic
 * failure, which becomes a 'failed' result; anything else is treated as transient and retried.
 */
export type Trainer = (
  graph: PyramidGraph,
  proxy: ProxyTaskConfig,
  hooks: TrainHooks,
  job: TrialJob,
) => Promise<TrialMetrics>;
