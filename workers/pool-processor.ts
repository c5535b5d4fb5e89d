// The BullMQ processor of `pyramid-nas worker`: an in-process function that hands each job to the worker's
// process pool, whose children run the trial. Training never runs on the worker's event loop, so lock
// renewal keeps going; and BullMQ jobs get the pool's child lifecycle (poisoned children replaced,
// recycling, resource limits, the per-trial time limit) exactly as embedded campaigns do.
import type { Job } from 'bullmq';

import type { TrialJob, TrialResult } from '../src/trial/types.js';
import type { ProcessPool } from './process-pool.js';

export interface PoolProcessor {
  (job: Job<TrialJob, TrialResult>): Promise<TrialResult>;
  /**
   * Called before a forced close kills the children: a trial that then fails because its child was
   * killed never settles, so BullMQ records no failure for it; its lock expires and the job is retried
   * as stalled, as if this worker had died (the start counts as one of the job's attempts: attempt-budget.ts).
   */
  abandon(): void;
}

export function poolProcessor(pool: ProcessPool): PoolProcessor {
  let abandoned = false;
  const processor = async (job: Job<TrialJob, TrialResult>): Promise<TrialResult> => {
    try {
      return await pool.run(job.data, (p) => {
        // Progress is best-effort; a lost update must never fail the trial.
        job.updateProgress(p as unknown as object).catch(() => {});
      });
    } catch (err) {
      if (abandoned) return new Promise<never>(() => {});
      throw err;
    }
  };
  return Object.assign(processor, { abandon: () => void (abandoned = true) });
}
