// The process pool: one child process per trial slot (one worker per core beats multi-threaded wasm), each
// running workers/pool-child.ts → the sandboxed processor. Both the embedded campaign queue and the BullMQ
// worker run their trials here, so they share one child lifecycle:
// - a job over the resource limits (job-limits.ts) is answered 'invalid' before it reaches a child;
// - a child that dies mid-trial rejects that trial with a transient error (the queue retries it);
// - a child whose trial threw (an engine error, or anything unexpected) is killed and replaced, and so is
//   one that has run maxTrialsPerChild trials or holds more than maxChildRssMB after a trial
//   (child-lifecycle.ts); replacements are started lazily, when the next trial needs a slot;
// - a trial over its time limit (job.timeoutSeconds) has its child killed and is answered 'failed' with
//   a TIMEOUT error (trial-timeout.ts); a cancelled trial has its child killed and rejects.
import { type ChildProcess, fork } from 'node:child_process';
import { hostname } from 'node:os';

import { jobKey } from '../src/trial/identity.js';
import type { TrainProgress, TrialJob, TrialResult } from '../src/trial/types.js';
import { childModule } from '../src/util/child-module.js';
import { PyramidNasError } from '../src/util/errors.js';
import {
  type ChildTrialOutcome,
  DEFAULT_RECYCLE_POLICY,
  type RecyclePolicy,
  type RetireReason,
  retireReason,
} from './child-lifecycle.js';
import { checkJobLimits, DEFAULT_JOB_LIMITS, type JobLimits } from './job-limits.js';
import { invalidResult, InvalidTrialError } from './trial-processor.js';
import { timeoutResult, trialTimeoutMs } from './trial-timeout.js';

/**
 * Runs one trial to a TrialResult: complete, failed, or invalid (a job that can never run: not retried).
 * Anything it throws is transient (the queue retries it), or a TrialCancelledError.
 */
export interface TrialRunner {
  run(job: TrialJob, onProgress?: (p: TrainProgress) => void): Promise<TrialResult>;
  /** Stops a trial that run() was given and has not answered: its run() rejects with a TrialCancelledError. */
  cancel?(trialId: string): void;
  close(): Promise<void>;
}

export class TrialCancelledError extends PyramidNasError {
  constructor(trialId: string) {
    super('CANCELLED', `trial ${trialId} was cancelled`);
    this.name = 'TrialCancelledError';
  }
}

export interface ProcessPoolOptions extends Partial<RecyclePolicy> {
  /** Trials at once (children alive at most). */
  size: number;
  /** Environment of the children (e.g. PYRAMID_NAS_TRAINER=fake in tests). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Resource limits a job must be within to reach a child. Default DEFAULT_JOB_LIMITS. */
  limits?: Readonly<JobLimits>;
  /** The command a limits error tells the user to raise them with (default `pyramid-nas worker --limits`). */
  raiseLimitsWith?: string;
  /** `worker` of the answers the pool gives itself (a timeout). Default `<hostname>:<child pid>`, as the child would say. */
  workerName?: string;
  /** Told each time a child is retired (for logs). */
  onRetire?(info: RetireInfo): void;
}

export interface RetireInfo {
  pid: number | undefined;
  reason: RetireReason;
  /** Trials the child ran, this one included. */
  trials: number;
  /** Its resident memory after the trial, as it reported it. */
  rssMB?: number;
  trialId: string;
}

export interface PoolStats {
  spawned: number;
  retired: Partial<Record<RetireReason, number>>;
}

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
  trials: number;
  /** The trial running on it: how cancel() finds it. */
  running?: { trialId: string; cancel(): void };
}

interface Waiter {
  resolve(slot: Slot): void;
  reject(err: Error): void;
}

/** How a trial on a child ended; `result` or `error` is what run() answers. */
interface Answer {
  outcome: ChildTrialOutcome;
  rssMB?: number;
  result?: TrialResult;
  error?: Error;
}

type ChildMessage = {
  type?: string;
  id?: number;
  result?: TrialResult;
  progress?: TrainProgress;
  rssMB?: number;
  error?: { name: string; message: string };
};

const CHILD = childModule('./pool-child', import.meta.url);

const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

export class ProcessPool implements TrialRunner {
  private slots: Slot[] = [];
  private waiters: Waiter[] = [];
  private nextId = 0;
  private closed = false;
  private readonly policy: RecyclePolicy;
  private readonly limits: Readonly<JobLimits>;
  private readonly counts: PoolStats = { spawned: 0, retired: {} };
  /** Cancelled before their child was ready: they stop there. */
  private readonly cancelledEarly = new Set<string>();

  constructor(private readonly opts: ProcessPoolOptions) {
    if (!(opts.size >= 1)) throw new Error(`process pool size must be ≥ 1 (got ${opts.size})`);
    this.policy = {
      maxTrialsPerChild: opts.maxTrialsPerChild ?? DEFAULT_RECYCLE_POLICY.maxTrialsPerChild,
      maxChildRssMB: opts.maxChildRssMB ?? DEFAULT_RECYCLE_POLICY.maxChildRssMB,
    };
    if (!(this.policy.maxTrialsPerChild >= 1))
      throw new Error(`maxTrialsPerChild must be ≥ 1 (got ${this.policy.maxTrialsPerChild})`);
    if (!(this.policy.maxChildRssMB > 0))
      throw new Error(`maxChildRssMB must be > 0 (got ${this.policy.maxChildRssMB})`);
    this.limits = opts.limits ?? DEFAULT_JOB_LIMITS;
  }

  /** Children started and retired (by reason) so far. */
  get stats(): PoolStats {
    return { spawned: this.counts.spawned, retired: { ...this.counts.retired } };
  }

  private spawnSlot(): Slot {
    // The parent's execArgv is not inherited: the child gets exactly what its build needs (child-module.ts).
    const child = fork(CHILD.file, [], {
      env: this.opts.env ?? process.env,
      execArgv: CHILD.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.counts.spawned++;
    const ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: { type?: string }) => {
        if (m?.type === 'ready') {
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code, signal) =>
        reject(new Error(`pool worker exited during start-up (code ${code}, signal ${signal})`)),
      );
    });
    ready.catch(() => {}); // observed by run(); never an unhandled rejection
    // A send to a child that has just died reports here; its 'exit' is what fails the trial.
    child.on('error', () => {});
    const slot: Slot = { child, ready, busy: false, trials: 0 };
    child.once('exit', () => {
      this.slots = this.slots.filter((s) => s !== slot);
    });
    return slot;
  }

  private acquire(): Promise<Slot> {
    const idle = this.slots.find((s) => !s.busy && alive(s.child));
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (this.slots.length < this.opts.size) {
      const slot = this.spawnSlot();
      slot.busy = true;
      this.slots.push(slot);
      return Promise.resolve(slot);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private retire(slot: Slot, info: RetireInfo): void {
    this.slots = this.slots.filter((s) => s !== slot);
    this.counts.retired[info.reason] = (this.counts.retired[info.reason] ?? 0) + 1;
    // A child retired in good health may exit cleanly; a poisoned, overdue or cancelled one is killed.
    if (alive(slot.child))
      slot.child.kill(info.reason === 'max-trials' || info.reason === 'max-rss' ? 'SIGTERM' : 'SIGKILL');
    this.opts.onRetire?.(info);
  }

  private release(slot: Slot): void {
    slot.busy = false;
    slot.running = undefined;
    const usable = alive(slot.child) && this.slots.includes(slot);
    if (!usable) this.slots = this.slots.filter((s) => s !== slot);
    const waiter = this.waiters.shift();
    if (!waiter) return;
    if (usable) {
      slot.busy = true;
      waiter.resolve(slot);
    } else {
      const fresh = this.spawnSlot();
      fresh.busy = true;
      this.slots.push(fresh);
      waiter.resolve(fresh);
    }
  }

  async run(job: TrialJob, onProgress?: (p: TrainProgress) => void): Promise<TrialResult> {
    if (this.closed) throw new Error('process pool is closed');
    try {
      checkJobLimits(job, this.limits, this.opts.raiseLimitsWith);
    } catch (err) {
      if (err instanceof InvalidTrialError) return invalidResult(job, err);
      throw err;
    }
    const slot = await this.acquire();
    try {
      await slot.ready;
      if (this.cancelledEarly.delete(jobKey(job))) throw new TrialCancelledError(job.trialId);
      const answer = await this.exec(slot, job, onProgress);
      slot.trials++;
      const reason =
        alive(slot.child) || answer.outcome.kind === 'timeout' || answer.outcome.kind === 'cancelled'
          ? retireReason(answer.outcome, slot.trials, answer.rssMB, this.policy)
          : undefined; // it died on its own: nothing to retire
      if (reason)
        this.retire(slot, {
          pid: slot.child.pid,
          reason,
          trials: slot.trials,
          rssMB: answer.rssMB,
          trialId: job.trialId,
        });
      if (answer.result) return answer.result;
      throw answer.error;
    } finally {
      this.release(slot);
    }
  }

  /** Runs one trial on a ready child; settles once, with how it ended. */
  private exec(slot: Slot, job: TrialJob, onProgress?: (p: TrainProgress) => void): Promise<Answer> {
    const { child } = slot;
    const id = this.nextId++;
    const t0 = performance.now();
    return new Promise<Answer>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (answer: Answer) => {
        if (timer) clearTimeout(timer);
        child.off('message', onMsg);
        child.off('exit', onExit);
        resolve(answer);
      };
      const onMsg = (m: ChildMessage) => {
        if (m?.id !== id) return;
        if (m.type === 'progress' && m.progress) onProgress?.(m.progress);
        else if (m.type === 'done') finish({ outcome: { kind: 'result' }, result: m.result!, rssMB: m.rssMB });
        else if (m.type === 'error') {
          const err = new Error(m.error?.message ?? 'unknown error');
          err.name = m.error?.name ?? 'Error';
          finish({
            outcome: err.name === 'UnrecoverableError' ? { kind: 'invalid' } : { kind: 'error', error: err },
            error: err,
            rssMB: m.rssMB,
          });
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        const err = new Error(
          `pool worker ${child.pid} exited (code ${code}, signal ${signal}) during trial ${job.trialId}`,
        );
        finish({ outcome: { kind: 'error', error: err }, error: err });
      };
      const ms = trialTimeoutMs(job);
      if (ms !== undefined) {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          const worker = this.opts.workerName ?? `${hostname()}:${child.pid}`;
          finish({ outcome: { kind: 'timeout' }, result: timeoutResult(job, (performance.now() - t0) / 1000, worker) });
        }, ms);
      }
      slot.running = {
        trialId: jobKey(job),
        cancel: () => {
          child.kill('SIGKILL');
          finish({ outcome: { kind: 'cancelled' }, error: new TrialCancelledError(job.trialId) });
        },
      };
      child.on('message', onMsg);
      child.once('exit', onExit);
      child.send({ type: 'run', id, data: job });
    });
  }

  cancel(trialId: string): void {
    const slot = this.slots.find((s) => s.running?.trialId === trialId);
    if (slot) slot.running!.cancel();
    else this.cancelledEarly.add(trialId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error('process pool is closed'));
    const exits = this.slots.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (!alive(s.child)) return resolve();
          s.child.once('exit', () => resolve());
          s.child.kill('SIGTERM');
        }),
    );
    this.slots = [];
    await Promise.all(exits);
  }
}
