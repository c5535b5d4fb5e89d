// The embedded pool: one child process per trial slot (DESIGN.md §7: one worker per core beats
// multi-threaded wasm), each running workers/pool-child.mjs → the sandboxed processor. A child that dies
// mid-trial rejects that trial with a transient error (the queue retries it) and is replaced lazily.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TrialJob, TrialResult } from './types.js';
import type { TrainProgress } from './trial-processor.js';

/** Runs one trial to a TrialResult, or throws (name 'UnrecoverableError' = invalid, anything else = transient). */
export interface TrialRunner {
  run(job: TrialJob, onProgress?: (p: TrainProgress) => void): Promise<TrialResult>;
  close(): Promise<void>;
}

export interface ProcessPoolOptions {
  size: number;
  /** Environment of the children (e.g. PYRAMID_NAS_TRAINER=fake in tests). Default: this process's. */
  env?: NodeJS.ProcessEnv;
}

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
}

const CHILD_FILE = fileURLToPath(new URL('./pool-child.mjs', import.meta.url));

export class ProcessPool implements TrialRunner {
  private slots: Slot[] = [];
  private waiters: Array<(slot: Slot) => void> = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly opts: ProcessPoolOptions) {
    if (!(opts.size >= 1)) throw new Error(`process pool size must be ≥ 1 (got ${opts.size})`);
  }

  private spawnSlot(): Slot {
    // execArgv is not inherited: the child registers tsx itself, so it works under `node --import tsx`
    // and under the bin script alike.
    const child = fork(CHILD_FILE, [], { env: this.opts.env ?? process.env, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: { type?: string }) => {
        if (m?.type === 'ready') {
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code, signal) => reject(new Error(`pool worker exited during start-up (code ${code}, signal ${signal})`)));
    });
    ready.catch(() => {}); // observed by run(); never an unhandled rejection
    const slot: Slot = { child, ready, busy: false };
    child.once('exit', () => {
      this.slots = this.slots.filter((s) => s !== slot);
    });
    return slot;
  }

  private acquire(): Promise<Slot> {
    const idle = this.slots.find((s) => !s.busy && s.child.exitCode === null && s.child.signalCode === null);
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
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(slot: Slot): void {
    slot.busy = false;
    const alive = slot.child.exitCode === null && slot.child.signalCode === null;
    const waiter = this.waiters.shift();
    if (!waiter) return;
    if (alive) {
      slot.busy = true;
      waiter(slot);
    } else {
      const fresh = this.spawnSlot();
      fresh.busy = true;
      this.slots.push(fresh);
      waiter(fresh);
    }
  }

  async run(job: TrialJob, onProgress?: (p: TrainProgress) => void): Promise<TrialResult> {
    if (this.closed) throw new Error('process pool is closed');
    const slot = await this.acquire();
    try {
      await slot.ready;
      return await new Promise<TrialResult>((resolve, reject) => {
        const id = this.nextId++;
        const onMsg = (m: { type?: string; id?: number; result?: TrialResult; progress?: TrainProgress; error?: { name: string; message: string } }) => {
          if (m?.id !== id) return;
          if (m.type === 'progress' && m.progress) onProgress?.(m.progress);
          else if (m.type === 'done') finish(() => resolve(m.result!));
          else if (m.type === 'error') {
            const err = new Error(m.error?.message ?? 'unknown error');
            err.name = m.error?.name ?? 'Error';
            finish(() => reject(err));
          }
        };
        const onExit = (code: number | null, signal: string | null) =>
          finish(() => reject(new Error(`pool worker ${slot.child.pid} exited (code ${code}, signal ${signal}) during trial ${job.trialId}`)));
        const finish = (then: () => void) => {
          slot.child.off('message', onMsg);
          slot.child.off('exit', onExit);
          then();
        };
        slot.child.on('message', onMsg);
        slot.child.once('exit', onExit);
        slot.child.send({ type: 'run', id, data: job });
      });
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const exits = this.slots.map((s) => new Promise<void>((resolve) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
      s.child.once('exit', () => resolve());
      s.child.kill('SIGTERM');
    }));
    this.slots = [];
    await Promise.all(exits);
  }
}
