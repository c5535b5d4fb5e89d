// The BullMQ TrialQueue. One queue per campaign (keys `pyramid-nas:<campaign>:…`); jobId = trialId, so
// a trial is enqueued at most once and a resumed campaign re-attaches to it by id. Results come from job
// state, not only from events: QueueEvents wakes us as soon as a job finishes, and a reconcile pass over
// the pending ids (at start, on re-attach, and every `reconcileMs`) fetches results that finished while
// the campaign was down or while a Redis connection was dropped, and re-adds jobs Redis has lost (a
// restart without persistence). Finished jobs are kept in Redis so that this works.
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TrialJob, TrialResult } from '../../../workers/types.js';
import type { TrainProgress } from '../../../workers/trial-processor.js';
import { INVALID_PREFIX } from '../../../workers/trial-processor.js';
import { QUEUE_PREFIX } from '../../../workers/redis-connection.js';
import type { RetryOptions, TrialQueue } from './types.js';

export interface BullmqQueueOptions extends RetryOptions {
  campaign: string;
  /** A connection made with connectRedis (maxRetriesPerRequest: null). The queue duplicates it for events. */
  connection: Redis;
  /** How often pending trials are checked against Redis (default 1000 ms). */
  reconcileMs?: number;
}

export class BullmqQueue implements TrialQueue {
  readonly kind = 'bullmq' as const;
  readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly eventsConnection: Redis;
  private readonly pending = new Map<string, TrialJob>();
  /** Delivered by this queue object: submitting one again is a no-op (as in the embedded queue). */
  private readonly delivered = new Set<string>();
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
      if (this.pending.has(jobId) && isTrialResult(value)) this.deliver(value);
    });
    this.events.on('failed', ({ jobId }) => {
      if (this.pending.has(jobId)) void this.check(jobId).catch(() => {});
    });
    this.events.on('progress', ({ jobId, data }) => {
      if (this.pending.has(jobId) && data && typeof data === 'object') {
        for (const l of this.progressListeners) l(jobId, data as unknown as TrainProgress);
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

  private jobOptions(trialId: string) {
    return {
      jobId: trialId,
      attempts: this.opts.attempts ?? 3,
      backoff: { type: 'exponential' as const, delay: this.opts.backoffMs ?? 1000 },
      // Keep finished jobs: a resumed campaign fetches results that completed while it was down.
      removeOnComplete: false,
      removeOnFail: false,
    };
  }

  async submit(job: TrialJob): Promise<void> {
    if (this.delivered.has(job.trialId) || this.pending.has(job.trialId)) return;
    this.pending.set(job.trialId, job);
    // Same jobId twice is a no-op in BullMQ: this is what makes enqueueing at-most-once.
    await this.queue.add('trial', job, this.jobOptions(job.trialId));
  }

  async reattach(jobs: TrialJob[]): Promise<void> {
    for (const job of jobs) await this.submit(job);
    await this.reconcile();
  }

  private deliver(result: TrialResult): void {
    if (!this.pending.delete(result.trialId)) return;
    this.delivered.add(result.trialId);
    for (const l of this.resultListeners) l(result);
  }

  /** Looks one pending trial up in Redis: delivers a final result, re-adds a lost job. */
  private async check(trialId: string): Promise<void> {
    const job = await Job.fromId(this.queue, trialId);
    if (!this.pending.has(trialId) || this.closed) return;
    if (!job) {
      const data = this.pending.get(trialId)!;
      await this.queue.add('trial', data, this.jobOptions(trialId));
      return;
    }
    const state = await job.getState();
    if (state === 'completed') {
      const value = typeof job.returnvalue === 'string' ? safeJson(job.returnvalue) : job.returnvalue;
      if (isTrialResult(value)) this.deliver(value);
      else this.deliver({ trialId, status: 'failed', error: 'worker returned no trial result', wallSeconds: 0 });
    } else if (state === 'failed') {
      const reason = job.failedReason || 'unknown failure';
      const invalid = reason.startsWith(INVALID_PREFIX);
      this.deliver({
        trialId,
        status: invalid ? 'invalid' : 'failed',
        error: invalid ? reason : `${reason} (after ${job.attemptsMade} attempts)`,
        wallSeconds: 0,
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
    } finally {
      this.reconciling = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
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
  return typeof v === 'object' && v !== null && typeof (v as TrialResult).trialId === 'string' && typeof (v as TrialResult).status === 'string';
}
