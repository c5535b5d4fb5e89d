// The BullMQ Worker of a campaign queue, with three refusals BullMQ cannot make itself, each failing the
// job as unrecoverable (no retries) before any trial process sees it:
// - job data that is not JSON (written into Redis by another client): BullMQ cannot even build the job
//   from it, so without this the job would be fetched, dropped, stalled and fetched again forever ('invalid');
// - a job whose `campaign` is not this queue's: the worker serves the queue, not whatever a job claims ('invalid');
// - a job started more times than its attempts, stalls included (attempt-budget.ts; 'failed').
import { type Job, type JobJson, UnrecoverableError, Worker } from 'bullmq';

import { attemptsExhausted } from './attempt-budget.js';
import { INVALID_PREFIX, InvalidTrialError } from './trial-processor.js';

export class TrialWorker extends Worker {
  /** Jobs built without their data, and why. */
  private readonly unreadable = new WeakMap<Job, string>();

  protected override createJob(data: JobJson, jobId: string): Job {
    try {
      return super.createJob(data, jobId);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      const job = super.createJob({ ...data, data: 'null' }, jobId);
      this.unreadable.set(job, err.message);
      return job;
    }
  }

  protected override callProcessJob(job: Job, token: string, signal?: AbortSignal): Promise<unknown> {
    const unreadable = this.unreadable.get(job);
    if (unreadable !== undefined) {
      return Promise.reject(
        new InvalidTrialError(`${INVALID_PREFIX} job ${job.id} holds data that is not JSON (${unreadable})`),
      );
    }
    const campaign = (job.data as { campaign?: unknown } | null)?.campaign;
    if (campaign !== undefined && campaign !== this.name) {
      const claimed = JSON.stringify(typeof campaign === 'string' ? campaign.slice(0, 64) : campaign)?.slice(0, 80);
      return Promise.reject(
        new InvalidTrialError(`${INVALID_PREFIX} $.campaign: ${claimed} is not this queue's campaign "${this.name}"`),
      );
    }
    const exhausted = attemptsExhausted(job);
    if (exhausted !== undefined) return Promise.reject(new UnrecoverableError(exhausted));
    return super.callProcessJob(job, token, signal);
  }
}
