// The worker side: what runs trials. The trial processor (validate a job, train, answer a TrialResult),
// the process pool that runs it in child processes, and `pyramid-nas worker`'s BullMQ workers.
export { processTrial, validateTrialJob, InvalidTrialError, type ProcessOptions } from './trial-processor.js';
export { ProcessPool, TrialCancelledError, type TrialRunner, type ProcessPoolOptions } from './process-pool.js';
export { startWorkers, discoverCampaigns, type WorkerPool, type WorkerPoolOptions } from './bullmq-worker.js';
export { trainers, loadTrainer, type TrainerContext } from './trainers.js';
