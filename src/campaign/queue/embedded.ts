// The embedded TrialQueue: no Redis; trials run on a TrialRunner (the process pool, or in-process for
// tests) with the same failure semantics as BullMQ: the runner's result (complete, failed or invalid) is
// final; an UnrecoverableError fails the trial at once; other errors are retried with exponential
// backoff, then 'failed'.
import { availableParallelism } from 'node:os';

import type { TrialRunner } from '../../../workers/process-pool.js';
import { jobKey, rungEcho } from '../../trial/identity.js';
import { type TrainProgress, TRIAL_STATUS, type TrialJob, type TrialResult } from '../../trial/types.js';
import type { RetryOptions, TrialQueue } from './types.js';

export interface EmbeddedQueueOptions extends RetryOptions {
  /** Trials running at once (the pool size). */
  concurrency: number;
}

export class EmbeddedQueue implements TrialQueue {
  readonly kind = 'embedded' as const;
  /** Jobs by key (identity.ts jobKey: the trial id, or with a rung for a promotion). */
  private readonly known = new Set<string>();
  /** Submitted, not yet final and not cancelled. */
  private readonly pending = new Set<string>();
  private readonly waiting: Array<{ job: TrialJob; attempt: number }> = [];
  private running = 0;
  private closed = false;
  private resultListeners: Array<(r: TrialResult) => void> = [];
  private progressListeners: Array<(id: string, p: TrainProgress) => void> = [];
  /** Retry backoff timers by trial id. */
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly runner: TrialRunner,
    private readonly opts: EmbeddedQueueOptions,
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  async submit(job: TrialJob): Promise<void> {
    const key = jobKey(job);
    if (this.known.has(key)) return;
    this.known.add(key);
    this.pending.add(key);
    this.waiting.push({ job, attempt: 1 });
    this.pump();
  }

  /** Nothing survives the campaign process here: lost trials are simply run again. */
  async reattach(jobs: TrialJob[]): Promise<void> {
    for (const job of jobs) await this.submit(job);
  }

  onResult(listener: (r: TrialResult) => void): void {
    this.resultListeners.push(listener);
  }
  onProgress(listener: (id: string, p: TrainProgress) => void): void {
    this.progressListeners.push(listener);
  }

  private pump(): void {
    while (!this.closed && this.running < this.opts.concurrency && this.waiting.length > 0) {
      const { job, attempt } = this.waiting.shift()!;
      this.running++;
      void this.attempt(job, attempt);
    }
  }

  private async attempt(job: TrialJob, attempt: number): Promise<void> {
    const attempts = this.opts.attempts ?? 3;
    let result: TrialResult | undefined;
    try {
      result = await this.runner.run(job, (p) => this.progressListeners.forEach((l) => l(job.trialId, p)));
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      if (this.closed) return;
      if (!this.pending.has(jobKey(job))) {
        // Cancelled (its process was killed): nobody waits for it any more.
        this.running--;
        this.pump();
        return;
      }
      if (e.name === 'UnrecoverableError') {
        // Not retried, as BullMQ does not retry it. (A job that can never run is an 'invalid' result.)
        result = {
          trialId: job.trialId,
          status: TRIAL_STATUS.failed,
          error: `${e.message} (after ${attempt} attempts)`,
          wallSeconds: 0,
          ...rungEcho(job),
        };
      } else if (attempt < attempts) {
        // Free the slot during the backoff (like BullMQ's delayed set); then the retry goes first in line.
        this.running--;
        const delay = (this.opts.backoffMs ?? 1000) * 2 ** (attempt - 1);
        const t = setTimeout(() => {
          this.timers.delete(jobKey(job));
          this.waiting.unshift({ job, attempt: attempt + 1 });
          this.pump();
        }, delay);
        this.timers.set(jobKey(job), t);
        this.pump();
        return;
      } else {
        result = {
          trialId: job.trialId,
          status: TRIAL_STATUS.failed,
          error: `${e.message} (after ${attempts} attempts)`,
          wallSeconds: 0,
          ...rungEcho(job),
        };
      }
    }
    this.running--;
    const wanted = this.pending.delete(jobKey(job)); // false: cancelled while it finished
    if (!this.closed) {
      if (wanted) for (const l of this.resultListeners) l(result);
      this.pump();
    }
  }

  /** Drops waiting and backing-off trials and stops running ones (their processes are killed); by job key. */
  async cancel(trialIds: string[]): Promise<void> {
    for (const id of trialIds) {
      if (!this.pending.delete(id)) continue;
      const w = this.waiting.findIndex((x) => jobKey(x.job) === id);
      const t = this.timers.get(id);
      if (w >= 0) this.waiting.splice(w, 1);
      else if (t) {
        clearTimeout(t);
        this.timers.delete(id);
      } else this.runner.cancel?.(id); // running
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    await this.runner.close();
  }
}

/**
 * The warning for an embedded campaign with more trials at once than cores: every running trial is its
 * own process, and processes beyond the core count add memory, not speed.
 */
export function concurrencyWarning(concurrency: number, cores = availableParallelism()): string | undefined {
  if (concurrency <= cores) return undefined;
  const gb = (concurrency * 0.5).toFixed(concurrency * 0.5 < 10 ? 1 : 0);
  return (
    `concurrency ${concurrency} is more than this machine's ${cores} cores: the embedded pool starts one process per running trial ` +
    `(about 500 MB resident each with the TensorFlow.js trainer, so about ${gb} GB for ${concurrency}), and beyond ${cores} they only share the cores. ` +
    `Set "concurrency" to at most ${cores}, or run the trials on several machines with --redis and pyramid-nas worker.`
  );
}
