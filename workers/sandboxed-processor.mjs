// The trial processor module of a pool child (pool-child.mjs imports it; the process pool forks the
// children for the embedded campaign queue and for BullMQ workers alike, so both paths run this code).
// Its default export keeps BullMQ's sandboxed-processor signature (job, token, signal).
// Plain .mjs because it is loaded by a bare `node` child: it registers tsx to load the TypeScript sources.
import { register } from 'tsx/esm/api';

register();
const { processTrial } = await import('./trial-processor.ts');
const { loadTrainer } = await import('./trainers.ts');
const trainer = await loadTrainer();

// A child whose parent died (kill -9 of a worker) must not keep training an orphaned trial.
if (process.send) process.on('disconnect', () => process.exit(1));

/** BullMQ's sandboxed-processor signature: (job, token, signal). */
export default async function processJob(job, _token, signal) {
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
