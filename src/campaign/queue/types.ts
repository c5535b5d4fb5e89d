// One interface for both ways of running trials (docs/architecture.md): the embedded pool and BullMQ.
import type { TrainProgress, TrialJob, TrialResult } from '../../trial/types.js';

export interface TrialQueue {
  readonly kind: 'embedded' | 'bullmq';
  /**
   * Enqueue a trial. Idempotent per trialId: a trial the queue already knows (running, or finished in
   * Redis while the campaign was down) is not run again; its result is delivered when it is final.
   */
  submit(job: TrialJob): Promise<void>;
  /**
   * Re-attach to trials asked by an earlier campaign process and never told: BullMQ finds them in Redis
   * (waiting, running, or already finished: their results are fetched), the embedded pool re-runs them.
   */
  reattach(jobs: TrialJob[]): Promise<void>;
  /**
   * The final result of each submitted trial: complete, failed (attempts exhausted) or invalid. May repeat;
   * the campaign dedupes. Every listener registered hears every result (the loop and the baselines each listen).
   */
  onResult(listener: (result: TrialResult) => void): void;
  onProgress(listener: (trialId: string, progress: TrainProgress) => void): void;
  /** Trials submitted and not yet final. */
  readonly inFlight: number;
  /**
   * Stops trials the campaign no longer waits for (the wall-time grace period ran out): their results
   * are never delivered. Optional: a queue without it lets them run to the end unobserved (BullMQ keeps
   * their results in Redis, where a resumed campaign finds them). Jobs are named by their key (jobKey in
   * src/trial/identity.ts: the trial id, with `.r<k>` for a successive-halving promotion).
   */
  cancel?(trialIds: string[]): Promise<void>;
  /**
   * The journal now holds this trial's told event: the queue may drop what it still keeps of the job
   * (BullMQ removes it from Redis). Never called for a trial whose result is not yet told. Optional.
   */
  forget?(job: TrialJob): void;
  close(): Promise<void>;
}

/** Retry policy for transient errors (a crashed worker, an unexpected exception). */
export interface RetryOptions {
  /** Total attempts per trial (default 3). */
  attempts?: number;
  /** First backoff in ms, doubled each retry (default 1000). */
  backoffMs?: number;
}
