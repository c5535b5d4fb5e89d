// The sandboxed processor file: BullMQ's Worker forks a child process that imports this file and calls
// its default export per job, so CPU-bound training never blocks the worker's lock renewal. The embedded
// pool (process-pool.ts) forks children that import this same file, so both paths run the same code.
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
