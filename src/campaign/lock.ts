// One campaign process per results folder. Two processes appending to one journal tell and ask trials
// twice and leave a journal no resume can replay, so the folder holds a lock file, created with O_EXCL
// (only one creator can succeed), recording the holder's pid, host and start time. A lock left by a dead
// process on this host is taken over (saying so); a live holder, or one on another host (whose pid cannot
// be checked from here), is refused unless the user forces it.
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { PyramidNasError } from '../util/errors.js';
import { writeAll } from './write-all.js';

export const LOCK_FILE = '.pyramid-nas.lock';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** The holder's start time in clock ticks since boot (Linux), so a reused pid is not taken for the holder. */
  started?: string;
}

/** The folder is locked by another process (exit 2: wait for it, or --force-unlock if it is gone). */
export class CampaignLockedError extends PyramidNasError {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | undefined,
    message: string,
  ) {
    super('CAMPAIGN_LOCKED', message, { usage: true, where: { file: dir } });
    this.name = 'CampaignLockedError';
  }
}

export interface LockOptions {
  /** Remove any existing lock first (the user says its holder is gone). */
  force?: boolean;
  /** Told when a lock is taken over or forced away. */
  onNote?(message: string): void;
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host} since ${h.since}`;
}

/** The start time (field 22 of /proc/PID/stat) and state of a process, where /proc exists. */
function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after its closing one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], started: fields[19] };
  } catch {
    return undefined;
  }
}

/** Why a lock on this host is stale (its holder is gone), or undefined while the holder runs. */
function staleReason(h: LockHolder): string | undefined {
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return `pid ${h.pid} is no longer running`;
    return undefined;
  }
  const st = procStat(h.pid);
  if (st?.state === 'Z') return `pid ${h.pid} has exited`;
  if (st && h.started !== undefined && st.started !== h.started) return `pid ${h.pid} now belongs to another process`;
  return undefined;
}

type LockRead =
  | { kind: 'held'; holder: LockHolder; raw: string }
  | { kind: 'gone' }
  | { kind: 'unreadable'; ageMs: number; raw: string };

function readLock(file: string): LockRead {
  let raw: string;
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(file).mtimeMs;
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw err;
  }
  try {
    const h = JSON.parse(raw) as LockHolder;
    if (Number.isSafeInteger(h.pid) && h.pid > 0 && typeof h.host === 'string' && typeof h.since === 'string')
      return { kind: 'held', holder: h, raw };
  } catch {
    // falls through: a lock being written right now, or a damaged one
  }
  return { kind: 'unreadable', ageMs, raw };
}

/** Creates the lock file with O_EXCL; false if one exists. */
function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeAll(fd, Buffer.from(JSON.stringify(holder) + '\n'), file);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw err;
  }
  closeSync(fd);
  return true;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes a stale lock, unless it changed since it was read. Removal happens under a second, short-lived
 * O_EXCL file, so two processes that both found the same stale lock cannot both remove it — the second
 * would otherwise delete the fresh lock the first just created.
 */
function removeStale(file: string, raw: string): boolean {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A takeover takes microseconds; a guard older than a few seconds was left by a crash.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 5000) rmSync(guard, { force: true });
    } catch {
      // gone meanwhile
    }
    return false;
  }
  try {
    const now = readLock(file);
    if (now.kind !== 'gone' && now.raw === raw) unlinkSync(file);
    return true;
  } finally {
    closeSync(fd);
    rmSync(guard, { force: true });
  }
}

export class CampaignLock {
  private released = false;
  private readonly onExit = () => this.release();

  constructor(
    readonly dir: string,
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    // process.exit() (the CLI's signal handlers, a fatal error) skips finally blocks; 'exit' still runs.
    process.on('exit', this.onExit);
  }

  /** Removes the lock file if it is still ours (after --force-unlock by someone else it is not). Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    try {
      const now = readLock(this.file);
      if (
        now.kind === 'held' &&
        now.holder.pid === this.holder.pid &&
        now.holder.since === this.holder.since &&
        now.holder.host === this.holder.host
      )
        unlinkSync(this.file);
    } catch {
      // Already gone, or the folder was removed: nothing to release.
    }
  }
}

/** Takes the lock of campaign folder `dir` (which must exist), or throws CampaignLockedError naming the holder. */
export function acquireLock(dir: string, opts: LockOptions = {}): CampaignLock {
  const file = join(dir, LOCK_FILE);
  const started = procStat(process.pid)?.started;
  const mine: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(started ? { started } : {}),
  };
  const deadline = Date.now() + 2000;
  let force = opts.force === true;
  for (;;) {
    if (tryCreate(file, mine)) return new CampaignLock(dir, file, mine);
    const held = readLock(file);
    if (held.kind === 'gone') continue;
    if (force) {
      opts.onNote?.(
        `--force-unlock: removing the lock of ${held.kind === 'held' ? describeHolder(held.holder) : 'an unreadable lock file'} on ${dir}`,
      );
      rmSync(file, { force: true });
      // Once: a process that creates a lock after this removal is a live holder, refused as usual.
      force = false;
      continue;
    }
    if (held.kind === 'unreadable') {
      // Another process is between creating the file and writing it: wait for it.
      if (held.ageMs < 2000 && Date.now() < deadline) {
        sleepMs(20);
        continue;
      }
      throw new CampaignLockedError(
        dir,
        undefined,
        `${dir} is locked (${file} is not a readable lock); if no pyramid-nas process uses this folder, run again with --force-unlock`,
      );
    }
    const h = held.holder;
    if (h.host !== mine.host) {
      throw new CampaignLockedError(
        dir,
        h,
        `${dir} is in use by ${describeHolder(h)} (another host: cannot check that process from here); if it is gone, run again with --force-unlock`,
      );
    }
    const stale = staleReason(h);
    if (stale === undefined) {
      throw new CampaignLockedError(
        dir,
        h,
        `${dir} is in use by ${describeHolder(h)}; wait for it to finish (or stop it), or run again with --force-unlock if it is not a pyramid-nas process`,
      );
    }
    if (Date.now() >= deadline)
      throw new CampaignLockedError(
        dir,
        h,
        `${dir}: could not take over the stale lock of ${describeHolder(h)} (${stale}); run again with --force-unlock`,
      );
    opts.onNote?.(`taking over the stale lock of ${describeHolder(h)} on ${dir}: ${stale}`);
    // Another process is taking it over right now: give it a moment, then look again.
    if (!removeStale(file, held.raw)) sleepMs(20);
  }
}
