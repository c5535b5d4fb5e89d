// The embedded TrialQueue: no Redis; trials run on a TrialRunner (the process pool, or in-process for
// tests) with the same failure semantics as BullMQ: UnrecoverableError → 'invalid' at once, other
// errors → retried with exponential backoff, then 'failed'.
import type { TrialJob, TrialResult } from '../../../workers/types.js';
import type { TrainProgress } from '../../../workers/trial-processor.js';
import type { TrialRunner } from '../../../workers/process-pool.js';
import type { RetryOptions, TrialQueue } from './types.js';

export interface EmbeddedQueueOptions extends RetryOptions {
  /** Trials running at once (the pool size). */
  concurrency: number;
}

export class EmbeddedQueue implements TrialQueue {
  readonly kind = 'embedded' as const;
  private readonly known = new Set<string>();
  private readonly waiting: Array<{ job: TrialJob; attempt: number }> = [];
  private running = 0;
  private pendingCount = 0;
  private closed = false;
  private resultListeners: Array<(r: TrialResult) => void> = [];
  private progressListeners: Array<(id: string, p: TrainProgress) => void> = [];
  private timers = new Set<NodeJS.Timeout>();

  constructor(private readonly runner: TrialRunner, private readonly opts: EmbeddedQueueOptions) {}

  get inFlight(): number {
    return this.pendingCount;
  }

  async submit(job: TrialJob): Promise<void> {
    if (this.known.has(job.trialId)) return;
    this.known.add(job.trialId);
    this.pendingCount++;
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
      if (e.name === 'UnrecoverableError') {
        result = { trialId: job.trialId, status: 'invalid', error: e.message, wallSeconds: 0 };
      } else if (attempt < attempts) {
        // Free the slot during the backoff (like BullMQ's delayed set); then the retry goes first in line.
        this.running--;
        const delay = (this.opts.backoffMs ?? 1000) * 2 ** (attempt - 1);
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.waiting.unshift({ job, attempt: attempt + 1 });
          this.pump();
        }, delay);
        this.timers.add(t);
        this.pump();
        return;
      } else {
        result = { trialId: job.trialId, status: 'failed', error: `${e.message} (after ${attempts} attempts)`, wallSeconds: 0 };
      }
    }
    this.running--;
    this.pendingCount--;
    if (!this.closed) {
      for (const l of this.resultListeners) l(result);
      this.pump();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await this.runner.close();
  }
}
