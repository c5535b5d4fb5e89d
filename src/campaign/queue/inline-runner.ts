// A TrialRunner that runs the processor in this process (tests, and the benchmark's baseline): the same
// validation and result envelope as the pool, without process isolation.
import type { TrialRunner } from '../../../workers/process-pool.js';
import { processTrial, type Trainer } from '../../../workers/trial-processor.js';

export function inlineRunner(trainer: Trainer): TrialRunner {
  return {
    run: (job, onProgress) => processTrial(job, { trainer, onProgress }),
    close: async () => {},
  };
}
