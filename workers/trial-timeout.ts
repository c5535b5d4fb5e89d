// The per-trial time limit (the campaign's `trialTimeoutSeconds`, carried in each job as `timeoutSeconds`).
// An overdue trial is stopped by whoever runs it (the pool kills its child process; the in-process runner
// aborts it) and answered with a 'failed' result whose error starts with `TIMEOUT:`. It is a result, not
// a job failure, so it is not retried: a trial that overran once would most likely overrun again and
// burn another full timeout of compute.
import { identityOf } from '../src/trial/identity.js';
import { TRIAL_STATUS, type TrialJob, type TrialResult } from '../src/trial/types.js';

export const TIMEOUT_CODE = 'TIMEOUT';

/** The job's time limit in ms, or undefined for none (a malformed value is the processor's to reject). */
export function trialTimeoutMs(job: unknown): number | undefined {
  const s = (job as Partial<TrialJob> | null)?.timeoutSeconds;
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? s * 1000 : undefined;
}

export function timeoutResult(
  job: Pick<TrialJob, 'trialId'> & Partial<TrialJob>,
  wallSeconds: number,
  worker?: string,
): TrialResult {
  return {
    trialId: job.trialId,
    status: TRIAL_STATUS.failed,
    error: `${TIMEOUT_CODE}: trial ${job.trialId} ran longer than its limit of ${job.timeoutSeconds} s (trialTimeoutSeconds) and was stopped`,
    wallSeconds,
    ...(worker ? { worker } : {}),
    // The job's identity, echoed as the processor echoes it, so the campaign can match the answer.
    ...identityOf(job),
  };
}
