// A trial job's attempts are its starts. Every start that ends without a result uses one: a failure
// (BullMQ retries it with backoff) and equally a stall (the worker died, or lost its lock to a Redis
// outage, and another worker takes the job over). BullMQ itself counts stalls apart, against one
// worker-wide maxStalledCount, and fails the job for good past it whatever its attempts; so the workers
// raise that limit to the most attempts a campaign may ask (STALL_LIMIT) and enforce the job's own
// `attempts` here instead: a job is started at most `attempts` times.
import type { Job } from 'bullmq';

/** Prefix of the failure of a job refused for having used all its attempts. */
export const ATTEMPTS_EXHAUSTED_PREFIX = 'ATTEMPTS_EXHAUSTED:';

/**
 * The workers' BullMQ maxStalledCount: the most attempts a campaign may ask (`retry.attempts` ≤ 20), so
 * BullMQ's own stall limit never ends a job before its attempts do. It only ends jobs added with more.
 */
export const STALL_LIMIT = 20;

type Counters = Pick<Job, 'attemptsStarted' | 'attemptsMade' | 'stalledCounter' | 'opts'>;

/** The job's attempts (BullMQ's default for a job added without any is 1). */
function budget(job: Counters): number {
  return Math.max(1, job.opts.attempts ?? 1);
}

/**
 * Why a job just taken by a worker must not run (its starts, this one included, exceed its attempts),
 * or undefined. The earlier starts all ended without a result: failures, or stalls.
 */
export function attemptsExhausted(job: Counters): string | undefined {
  const n = budget(job);
  if (job.attemptsStarted <= n) return undefined;
  const stalls = job.stalledCounter;
  return `${ATTEMPTS_EXHAUSTED_PREFIX} all ${n} attempts ended without a result (${stalls} by a stall: the worker died or lost its lock)`;
}

/** How many times a finally failed job ran: its starts, less the one refused by attemptsExhausted. */
export function attemptsRun(job: Counters & Pick<Job, 'failedReason'>): number {
  if (job.failedReason?.startsWith(ATTEMPTS_EXHAUSTED_PREFIX)) return Math.max(0, job.attemptsStarted - 1);
  return job.attemptsMade;
}
