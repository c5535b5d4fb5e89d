// Shared by the campaign integration tests: unique queue names, Redis cleanup, a private redis-server,
// spawning the CLI, waiting with a deadline, the timing-free "essence" of a journal, the journal as it
// stood at a kill (so a fault test can prove the kill landed mid-run), and trial executions counted from
// the fake trainer's start log.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { runCampaign } from '../../src/campaign/campaign.js';
import { type CampaignInput, resolveCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import type { JournalEvent } from '../../src/campaign/journal.js';
import { readJournal } from '../../src/campaign/journal.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { createFakeTrainer, type FakeSpec } from '../../src/testing/fake-trainer.js';
import { connectRedis, QUEUE_PREFIX } from '../../src/util/redis-connection.js';

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

/**
 * A private, throwaway redis-server (no persistence): tests that stop Redis never touch the shared one. With
 * `password`, the server requires it (`--requirepass`), for tests of authentication errors.
 */
export async function startPrivateRedis(port: number, password?: string): Promise<ChildProcess> {
  const auth = password === undefined ? [] : ['--requirepass', password];
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...auth],
    { stdio: 'ignore' },
  );
  const credentials = password === undefined ? '' : `:${password}@`;
  const probe = connectRedis(`redis://${credentials}127.0.0.1:${port}`, { retryStrategy: () => 50, lazyConnect: true });
  probe.on('error', () => {}); // refused until the server is up
  try {
    await waitFor(
      `redis-server on ${port}`,
      async () => {
        try {
          if (probe.status === 'wait' || probe.status === 'end') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        }
      },
      10_000,
    );
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
  const child = spawn(process.execPath, ['bin/pyramid-nas.mjs', ...args], {
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

export function countTold(journal: string): number {
  if (!existsSync(journal)) return 0;
  return readFileSync(journal, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"told"')).length;
}

/** Proposals and results in journal order, without timing fields: what must match across runs. */
export function essence(events: JournalEvent[]): unknown[] {
  return events.flatMap((e): unknown[] =>
    e.type === 'asked'
      ? [{ asked: e.index, decisions: e.decisions, hash: e.hash }]
      : e.type === 'told'
        ? [{ told: e.index, status: e.status, metrics: e.metrics, error: e.error, reward: e.reward }]
        : [],
  );
}

export function journalEssence(dir: string): unknown[] {
  return essence(readJournal(`${dir}/journal.jsonl`));
}

/** The journal right after a kill (read once the killed process is gone). */
export interface JournalAtKill {
  events: JournalEvent[];
  asked: number;
  told: number;
  /** A campaign-finished event was journaled: the "kill" came after the end. */
  finished: boolean;
}

export function journalAtKill(dir: string): JournalAtKill {
  const path = join(dir, 'journal.jsonl');
  const events = existsSync(path) ? readJournal(path) : [];
  return {
    events,
    asked: events.filter((e) => e.type === 'asked').length,
    told: events.filter((e) => e.type === 'told').length,
    finished: events.some((e) => e.type === 'campaign-finished'),
  };
}

/**
 * Fails unless the kill landed while the campaign still had trials to tell: a kill after the last told
 * event (or after campaign-finished) would let a resume test pass without resuming anything.
 */
export function assertKilledMidRun(at: JournalAtKill, budget: number, context: string): void {
  assert.ok(at.events.length > 0, `${context}: no journal at the kill (the campaign had not started)`);
  assert.ok(
    !at.finished && at.told < budget,
    `${context}: the kill came too late (${at.told}/${budget} told${at.finished ? ', campaign-finished journaled' : ''}), so it tests nothing`,
  );
}

/** The journal is append-only across a kill and a resume: what was there at the kill starts the final one. */
export function assertJournalExtends(at: JournalAtKill, dir: string, context: string): void {
  const after = readJournal(join(dir, 'journal.jsonl'));
  assert.deepEqual(
    after.slice(0, at.events.length),
    at.events,
    `${context}: the resumed journal rewrote events journaled before the kill`,
  );
}

/**
 * Trial executions per trial id, from the fake trainer's `logDir` (one line per start of a trial, in
 * whichever process ran it): 2 means the trial was trained twice, even if the first run was killed.
 */
export function startsPerTrial(logDir: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(logDir)) return out;
  for (const f of readdirSync(logDir)) {
    if (!f.endsWith('.starts')) continue;
    out.set(f.slice(0, -'.starts'.length), readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean).length);
  }
  return out;
}

/** The uninterrupted reference: the campaign run in-process with the fake trainer, to its end. */
export async function referenceEssence(input: CampaignInput, dir: string, spec: FakeSpec): Promise<unknown[]> {
  const cfg = resolveCampaign({ ...input, output: dir });
  const space = campaignSpace(cfg);
  const q = new EmbeddedQueue(inlineRunner(createFakeTrainer(spec)), {
    concurrency: cfg.concurrency,
    attempts: cfg.retry.attempts,
    backoffMs: cfg.retry.backoffMs,
  });
  try {
    await runCampaign(
      cfg,
      { space, createController: () => campaignController(cfg, space), queue: q },
      { dir, resume: false },
    );
  } finally {
    await q.close();
  }
  return journalEssence(dir);
}

export interface KilledAndResumed {
  /** The told count the kill waited for (PYRAMID_NAS_KILL_AT replays it). */
  k: number;
  atKill: JournalAtKill;
  /** Exit code and stderr of `search --resume`. */
  code: number | null;
  stderr: string;
  dir: string;
}

/**
 * `pyramid-nas search` (embedded pool, fake trainer) killed with SIGKILL, with its pool, once `k` trials
 * are told (k random in [minK, budget-2] unless PYRAMID_NAS_KILL_AT is set), then `search --resume` to the end.
 */
export async function killAndResumeEmbedded(
  input: CampaignInput & { budget: { trials: number } },
  dir: string,
  spec: FakeSpec,
  minK = 1,
): Promise<KilledAndResumed> {
  const trials = input.budget.trials;
  const file = `${dir}.campaign.json`;
  writeFileSync(file, JSON.stringify({ ...input, output: dir }));
  const env = { PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify(spec) };
  const k = Number(process.env.PYRAMID_NAS_KILL_AT ?? minK + Math.floor(Math.random() * (trials - 1 - minK)));
  const first = cli(['search', file, '--json'], env);
  await waitFor(
    `${k} told events`,
    () => countTold(join(dir, 'journal.jsonl')) >= k || first.child.exitCode !== null,
    60_000,
    10,
  );
  await killGroup(first.child, 'SIGKILL'); // the campaign and its pool children
  const atKill = journalAtKill(dir);
  const second = cli(['search', '--resume', dir, '--json'], env);
  const code = await second.exited;
  return { k, atKill, code, stderr: second.stderr(), dir };
}

export type { Redis };
