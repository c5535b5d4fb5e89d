// The trial processor module of a pool child (pool-child.ts imports it; the process pool forks the
// children for the embedded campaign queue and for BullMQ workers alike, so both paths run this code).
// Its default export keeps BullMQ's sandboxed-processor signature (job, token, signal).
import type { TrainProgress, TrialResult } from '../src/trial/index.js';
import { loadTrainer } from './trainers.js';
import { processTrial } from './trial-processor.js';

/** The part of a BullMQ job the processor uses. */
export interface ProcessorJob {
  data: unknown;
  updateProgress?(progress: TrainProgress): Promise<unknown> | unknown;
}

// The trainer is loaded once per child, before the child reports ready.
const trainer = await loadTrainer();

// A child whose parent died (kill -9 of a worker) must not keep training an orphaned trial.
if (process.send) process.on('disconnect', () => process.exit(1));

/** BullMQ's sandboxed-processor signature: (job, token, signal). */
export default async function processJob(
  job: ProcessorJob,
  _token?: string,
  signal?: AbortSignal,
): Promise<TrialResult> {
  return processTrial(job.data, {
    trainer,
    signal,
    // A BullMQ worker hands down its own name (the jobs' processedBy); the embedded pool does not.
    worker: process.env.PYRAMID_NAS_WORKER_NAME || undefined,
    onProgress: (p) => {
      // Progress is best-effort; a lost update must never fail the trial.
      Promise.resolve(job.updateProgress?.(p)).catch(() => {});
    },
  });
}
