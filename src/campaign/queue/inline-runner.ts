// A TrialRunner that runs the processor in this process (tests, and the benchmark's baseline): the same
// validation, result envelope, time limit and cancellation as the pool, without process isolation: an
// overdue or cancelled trial is aborted through its signal instead of having its process killed.
import { hostname } from 'node:os';

import { TrialCancelledError, type TrialRunner } from '../../../workers/process-pool.js';
import { processTrial } from '../../../workers/trial-processor.js';
import { timeoutResult, trialTimeoutMs } from '../../../workers/trial-timeout.js';
import { jobKey } from '../../trial/identity.js';
import type { Trainer, TrialResult } from '../../trial/types.js';

export function inlineRunner(trainer: Trainer): TrialRunner {
  const running = new Map<string, () => void>();
  return {
    run: (job, onProgress) => {
      const ac = new AbortController();
      const t0 = performance.now();
      return new Promise<TrialResult>((resolve, reject) => {
        let settled = false;
        const settle = (f: () => void) => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          running.delete(jobKey(job));
          f();
        };
        const ms = trialTimeoutMs(job);
        const timer =
          ms === undefined
            ? undefined
            : setTimeout(() => {
                ac.abort();
                settle(() =>
                  resolve(timeoutResult(job, (performance.now() - t0) / 1000, `${hostname()}:${process.pid}`)),
                );
              }, ms);
        running.set(jobKey(job), () => {
          ac.abort();
          settle(() => reject(new TrialCancelledError(job.trialId)));
        });
        processTrial(job, { trainer, onProgress, signal: ac.signal }).then(
          (r) => settle(() => resolve(r)),
          (err) => settle(() => reject(err)),
        );
      });
    },
    cancel: (trialId) => running.get(trialId)?.(),
    close: async () => {},
  };
}
