// The running trials as the BullMQ queue of each campaign sees them (`--redis`): active jobs with their
// training progress (job.updateProgress from the worker), and the queue's counts. Strictly read-only:
// the Queue is opened with skipMetasUpdate (a plain Queue writes its meta key on connect) and only
// getters are called. Polled, because QueueEvents would need a blocking connection per campaign.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { connectRedis, QUEUE_PREFIX, redact } from '../util/redis-connection.js';

export interface RunningJob {
  trialId: string;
  /** The worker's token name, when BullMQ recorded one. */
  worker?: string;
  startedAt?: number;
  attempts: number;
  /** job.updateProgress payload: {step, steps, loss, imagesPerSecond} from the trial processor. */
  progress?: { step?: number; steps?: number; loss?: number; imagesPerSecond?: number };
}

export interface QueueView {
  key: string;
  ok: boolean;
  error?: string;
  counts: Record<string, number>;
  active: RunningJob[];
}

function numField(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function progressOf(p: unknown): RunningJob['progress'] {
  if (typeof p !== 'object' || p === null) return typeof p === 'number' ? { step: p, steps: 100 } : undefined;
  const o = p as Record<string, unknown>;
  return {
    step: numField(o, 'step'),
    steps: numField(o, 'steps'),
    loss: numField(o, 'loss'),
    imagesPerSecond: numField(o, 'imagesPerSecond'),
  };
}

export class RedisView {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private last = new Map<string, string>();

  /** `campaigns`: campaign key → queue name (the campaign's name). */
  constructor(
    readonly url: string,
    private readonly campaigns: () => Map<string, string>,
    private readonly onView: (view: QueueView) => void,
    private readonly pollMs = 1000,
  ) {
    this.connection = connectRedis(url, { lazyConnect: false });
    this.connection.on('error', () => {}); // reported per poll instead; ioredis reconnects
  }

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  private queueFor(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: QUEUE_PREFIX, skipMetasUpdate: true });
      q.on('error', () => {});
      this.queues.set(name, q);
    }
    return q;
  }

  /** One pass over every campaign; views are only reported when they changed. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const [key, name] of this.campaigns()) {
        const view = await this.read(key, name);
        const text = JSON.stringify(view);
        if (this.last.get(key) !== text) {
          this.last.set(key, text);
          this.onView(view);
        }
      }
    } finally {
      this.polling = false;
    }
  }

  private async read(key: string, name: string): Promise<QueueView> {
    if (this.connection.status !== 'ready') {
      return { key, ok: false, error: `redis ${redact(this.url)}: ${this.connection.status}`, counts: {}, active: [] };
    }
    try {
      const q = this.queueFor(name);
      const counts = await q.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed');
      const jobs = await q.getJobs(['active'], 0, 199, true);
      const active = jobs
        .filter((j) => j && j.id)
        .map((j) => ({
          // The job id also carries the run id (`<trialId>.<runId>`); the data names the trial.
          trialId: String((j.data as { trialId?: unknown } | undefined)?.trialId ?? j.id),
          ...(j.processedBy ? { worker: String(j.processedBy) } : {}),
          ...(j.processedOn ? { startedAt: j.processedOn } : {}),
          attempts: j.attemptsMade ?? 0,
          progress: progressOf(j.progress),
        }))
        .sort((a, b) => a.trialId.localeCompare(b.trialId, 'en', { numeric: true }));
      return { key, ok: true, counts, active };
    } catch (err) {
      return { key, ok: false, error: `redis ${redact(this.url)}: ${(err as Error).message}`, counts: {}, active: [] };
    }
  }

  lastViews(): QueueView[] {
    return [...this.last.values()].map((t) => JSON.parse(t) as QueueView);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const q of this.queues.values()) await q.close().catch(() => {});
    this.connection.disconnect();
  }
}
