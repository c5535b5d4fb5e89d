// Shared by the campaign integration tests: unique queue names, Redis cleanup, a private redis-server,
// spawning the CLI, waiting with a deadline, and the timing-free "essence" of a journal.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_PREFIX, connectRedis } from '../../workers/redis-connection.js';
import type { JournalEvent } from '../../src/campaign/journal.js';
import { readJournal } from '../../src/campaign/journal.js';

export const SHARED_REDIS = 'redis://127.0.0.1:6379';

export function uniqueName(base: string): string {
  return `${base}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Removes every key of a campaign queue. */
export async function obliterate(redisUrl: string, name: string): Promise<void> {
  const redis = connectRedis(redisUrl);
  try {
    const q = new Queue(name, { connection: redis, prefix: QUEUE_PREFIX });
    await q.obliterate({ force: true });
    await q.close();
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` until it returns a truthy value, or throws after `ms` with `what` in the message. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, ms = 20_000, every = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A private, throwaway redis-server (no persistence): tests that stop Redis never touch the shared one. */
export async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = connectRedis(`redis://127.0.0.1:${port}`, { retryStrategy: () => 50, lazyConnect: true });
  probe.on('error', () => {}); // refused until the server is up
  try {
    await waitFor(`redis-server on ${port}`, async () => {
      try {
        if (probe.status === 'wait' || probe.status === 'end') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      }
    }, 10_000);
  } finally {
    probe.disconnect();
  }
  return child;
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Kills a process and its children (it was spawned `detached`, so it leads its own process group). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
  });
}

export interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `pyramid-nas …` as its own process group (so a test can kill it with its pool children). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = spawn(process.execPath, ['bin/pyramid-nas.mjs', ...args], { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

export function countTold(journal: string): number {
  if (!existsSync(journal)) return 0;
  return readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"type":"told"')).length;
}

/** Proposals and results in journal order, without timing fields: what must match across runs. */
export function essence(events: JournalEvent[]): unknown[] {
  return events.flatMap((e): unknown[] =>
    e.type === 'asked' ? [{ asked: e.index, decisions: e.decisions, hash: e.hash }]
    : e.type === 'told' ? [{ told: e.index, status: e.status, metrics: e.metrics, error: e.error, reward: e.reward }]
    : []);
}

export function journalEssence(dir: string): unknown[] {
  return essence(readJournal(`${dir}/journal.jsonl`));
}

export type { Redis };
