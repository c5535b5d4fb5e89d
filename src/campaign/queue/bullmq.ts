// The BullMQ TrialQueue. One queue per campaign (keys `pyramid-nas:<campaign>:…`); the job id is
// `<trialId>.<runId>` (bullmqJobId), so a trial is enqueued at most once per run, a resumed campaign
// re-attaches to its own jobs by id, and a later run of a campaign with the same name never sees them.
// Results come from job state, not only from events: QueueEvents wakes us as soon as a job finishes, and
// a reconcile pass over the pending ids (at start, on re-attach, and every `reconcileMs`) fetches results
// that finished while the campaign was down or while a Redis connection was dropped, and re-adds jobs
// Redis has lost (a restart without persistence). Finished jobs stay in Redis until the campaign has
// journaled their result (forget), then they are removed.
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

import { attemptsRun } from '../../../workers/attempt-budget.js';
import { INVALID_PREFIX } from '../../../workers/trial-processor.js';
import { identityOf, jobKey } from '../../trial/identity.js';
import { type TrainProgress, TRIAL_STATUS, type TrialJob, type TrialResult } from '../../trial/types.js';
import { QUEUE_PREFIX } from '../../util/redis-connection.js';
import type { RetryOptions, TrialQueue } from './types.js';

export interface BullmqQueueOptions extends RetryOptions {
  campaign: string;
  /** A connection made with connectRedis (maxRetriesPerRequest: null). The queue duplicates it for events. */
  connection: Redis;
  /** How often pending trials are checked against Redis (default 1000 ms). */
  reconcileMs?: number;
}

/**
 * The BullMQ job id of a trial: `<trialId>.<runId>` (BullMQ refuses ':' in custom ids; trial ids have no
 * '.'), or the bare trial id for a job without a run id (tools and tests that submit jobs directly).
 */
export function bullmqJobId(job: Pick<TrialJob, 'trialId' | 'runId' | 'rung'>): string {
  // A promotion (successive halving) is a job of its own: `<trialId>.r<k>.<runId>`.
  return job.runId ? `${jobKey(job)}.${job.runId}` : jobKey(job);
}

/** How long close() waits for removals still in flight (Redis may be down). */
const FORGET_ON_CLOSE_MS = 2000;

export class BullmqQueue implements TrialQueue {
  readonly kind = 'bullmq' as const;
  readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly eventsConnection: Redis;
  /** Submitted and not yet delivered, by BullMQ job id. */
  private readonly pending = new Map<string, TrialJob>();
  /** Delivered by this queue object: submitting one again is a no-op (as in the embedded queue). */
  private readonly delivered = new Set<string>();
  /** Job ids whose results are journaled: removed from Redis (retried while Redis is unreachable). */
  private readonly toForget = new Set<string>();
  private forgetting: Promise<void> | undefined;
  private resultListeners: Array<(r: TrialResult) => void> = [];
  private progressListeners: Array<(id: string, p: TrainProgress) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private closed = false;

  constructor(private readonly opts: BullmqQueueOptions) {
    this.queue = new Queue(opts.campaign, { connection: opts.connection, prefix: QUEUE_PREFIX });
    this.eventsConnection = opts.connection.duplicate();
    this.eventsConnection.on('error', () => {}); // reconnects by itself (a Redis restart must not crash us)
    this.events = new QueueEvents(opts.campaign, { connection: this.eventsConnection, prefix: QUEUE_PREFIX });
    this.queue.on('error', () => {}); // connection errors: ioredis reconnects; reconcile catches up
    this.events.on('error', () => {});
    this.events.on('completed', ({ jobId, returnvalue }) => {
      const value = typeof returnvalue === 'string' ? safeJson(returnvalue) : returnvalue;
      if (this.pending.has(jobId) && isTrialResult(value)) this.deliver(jobId, value);
    });
    this.events.on('failed', ({ jobId }) => {
      if (this.pending.has(jobId)) void this.check(jobId).catch(() => {});
    });
    this.events.on('progress', ({ jobId, data }) => {
      const job = this.pending.get(jobId);
      if (job && data && typeof data === 'object') {
        for (const l of this.progressListeners) l(job.trialId, data as unknown as TrainProgress);
      }
    });
    this.timer = setInterval(() => void this.reconcile(), opts.reconcileMs ?? 1000);
    this.timer.unref();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  onResult(listener: (r: TrialResult) => void): void {
    this.resultListeners.push(listener);
  }
  onProgress(listener: (id: string, p: TrainProgress) => void): void {
    this.progressListeners.push(listener);
  }

  private jobOptions(jobId: string) {
    return {
      jobId,
      attempts: this.opts.attempts ?? 3,
      backoff: { type: 'exponential' as const, delay: this.opts.backoffMs ?? 1000 },
      // Keep finished jobs until forget(): a resumed campaign fetches results that completed while it was down.
      removeOnComplete: false,
      removeOnFail: false,
    };
  }

  async submit(job: TrialJob): Promise<void> {
    const id = bullmqJobId(job);
    if (this.delivered.has(id) || this.pending.has(id)) return;
    this.pending.set(id, job);
    // Same jobId twice is a no-op in BullMQ: this is what makes enqueueing at-most-once.
    await this.queue.add('trial', job, this.jobOptions(id));
  }

  async reattach(jobs: TrialJob[]): Promise<void> {
    for (const job of jobs) await this.submit(job);
    await this.reconcile();
  }

  forget(job: TrialJob): void {
    const id = bullmqJobId(job);
    if (this.pending.has(id)) return; // not told yet: its result must stay fetchable
    this.toForget.add(id);
    void this.flushForget();
  }

  /** Removes the forgotten jobs from Redis; what fails while Redis is down is retried by the next reconcile. */
  private flushForget(): Promise<void> {
    this.forgetting ??= (async () => {
      try {
        while (this.toForget.size > 0) {
          const id = this.toForget.values().next().value as string;
          try {
            await this.queue.remove(id);
            this.toForget.delete(id);
          } catch {
            if (this.opts.connection.status !== 'ready') break; // an outage: retried later
            // Refused while Redis is up (a duplicate run of the trial holds its lock): leave it to `clean`.
            this.toForget.delete(id);
          }
        }
      } finally {
        this.forgetting = undefined;
      }
    })();
    return this.forgetting;
  }

  private deliver(jobId: string, result: TrialResult): void {
    const job = this.pending.get(jobId);
    if (!job) return;
    this.pending.delete(jobId);
    this.delivered.add(jobId);
    // The campaign files results by trial id: one that names another trial is answered for this one.
    const r: TrialResult =
      result.trialId === job.trialId
        ? result
        : {
            trialId: job.trialId,
            status: 'failed',
            error: `RESULT_MISMATCH: job ${jobId} answered for trial ${String(result.trialId).slice(0, 80)}`,
            wallSeconds: result.wallSeconds ?? 0,
          };
    for (const l of this.resultListeners) l(r);
  }

  /**
   * Looks one pending trial up in Redis: delivers a final result, re-adds a lost job. The state is read
   * before the job: completed and failed are final, and BullMQ writes a job's return value (or failure)
   * in the same script that moves it there, so a job seen final is read back with its outcome. Read the
   * other way round, a job finishing between the two reads would look completed with no return value.
   */
  private async check(jobId: string): Promise<void> {
    const state = await this.queue.getJobState(jobId);
    let job: Job | undefined;
    try {
      job = await Job.fromId(this.queue, jobId);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      // Its data in Redis is not JSON (written by another client): it can never run.
      const trialId = this.pending.get(jobId)?.trialId ?? jobId;
      this.deliver(jobId, {
        trialId,
        status: TRIAL_STATUS.invalid,
        error: `${INVALID_PREFIX} job ${jobId} in Redis holds data that is not JSON`,
        wallSeconds: 0,
      });
      return;
    }
    if (!this.pending.has(jobId) || this.closed) return;
    if (!job) {
      // Gone from Redis (a restart without persistence): add it again. Seen in Redis a moment ago, it was
      // removed since (`clean`); the next pass, seeing it gone, adds it.
      if (state === 'unknown') await this.queue.add('trial', this.pending.get(jobId)!, this.jobOptions(jobId));
      return;
    }
    const trialId = this.pending.get(jobId)!.trialId;
    if (state === 'completed') {
      const value = typeof job.returnvalue === 'string' ? safeJson(job.returnvalue) : job.returnvalue;
      if (isTrialResult(value)) this.deliver(jobId, value);
      else
        this.deliver(jobId, {
          trialId,
          status: 'failed',
          error: 'worker returned no trial result',
          wallSeconds: 0,
          ...identityOf(job.data),
        });
    } else if (state === 'failed') {
      // Workers answer an invalid payload with an 'invalid' result (the job completes). A job fails as
      // invalid only when a worker refuses it outright, and the one refusal a readable job gets is for
      // naming another campaign than its queue's: told from the job's data, never from its failure text.
      // Every other failed job ran out of attempts.
      const reason = job.failedReason || 'unknown failure';
      const claimed = (job.data as { campaign?: unknown } | null)?.campaign;
      const invalid = claimed !== undefined && claimed !== this.opts.campaign;
      this.deliver(jobId, {
        trialId,
        status: invalid ? TRIAL_STATUS.invalid : TRIAL_STATUS.failed,
        error: invalid ? reason : `${reason} (after ${attemptsRun(job)} attempts)`,
        wallSeconds: 0,
        // The identity of the job that failed, as stored in Redis: the campaign checks it like any result's.
        ...identityOf(job.data),
      });
    }
  }

  /** One pass over all pending trials (never two at once). */
  async reconcile(): Promise<void> {
    if (this.reconciling || this.closed) return;
    this.reconciling = true;
    try {
      for (const id of [...this.pending.keys()]) {
        try {
          await this.check(id);
        } catch {
          // Redis unreachable right now: the next pass retries.
        }
      }
      if (this.toForget.size > 0) void this.flushForget();
    } finally {
      this.reconciling = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    // The last told trials' removals; bounded, since commands wait forever while Redis is down.
    const flushing = this.toForget.size > 0 ? this.flushForget() : this.forgetting;
    if (flushing) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([flushing, new Promise<void>((r) => (t = setTimeout(r, FORGET_ON_CLOSE_MS)))]);
      clearTimeout(t);
    }
    await this.events.close().catch(() => {});
    await this.queue.close().catch(() => {});
    this.eventsConnection.disconnect();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isTrialResult(v: unknown): v is TrialResult {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as TrialResult).trialId === 'string' &&
    typeof (v as TrialResult).status === 'string'
  );
}
