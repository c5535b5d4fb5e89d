// The results-folder lock: one holder at a time (also among processes racing for it, and racing to take
// over a stale one); a dead holder's lock is taken over, saying so; a live or remote holder is named
// (pid, host, since) and refused unless forced; a lock is released on release() and on process exit.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { acquireLock, CampaignLockedError, LOCK_FILE, type LockHolder } from '../../src/campaign/lock.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));
const folder = () => mkdtempSync(join(root, 'c-'));
const lockOf = (dir: string): LockHolder => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
const writeLock = (dir: string, h: LockHolder) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify(h) + '\n');

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

const LOCK_MODULE = new URL('../../src/campaign/lock.ts', import.meta.url).href;

/** Runs `body` in a child node process with acquireLock imported; resolves with its stdout and exit code. */
function child(body: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `import { acquireLock } from ${JSON.stringify(LOCK_MODULE)};\n${body}`;
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('campaign folder lock', () => {
  test('held: a second taker is refused with pid, host and since; released, it can be taken again', () => {
    const dir = folder();
    const lock = acquireLock(dir);
    const h = lockOf(dir);
    assert.equal(h.pid, process.pid);
    assert.equal(h.host, hostname());
    assert.ok(!Number.isNaN(Date.parse(h.since)));
    assert.throws(
      () => acquireLock(dir),
      (err: unknown) => {
        assert.ok(err instanceof CampaignLockedError);
        assert.deepEqual(err.holder, h);
        assert.match(
          err.message,
          new RegExp(`is in use by pid ${process.pid} on ${hostname()} since ${h.since.replace(/\./g, '\\.')}`),
        );
        assert.match(err.message, /--force-unlock/);
        return true;
      },
    );
    lock.release();
    lock.release(); // idempotent
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    acquireLock(dir).release();
  });

  test('a dead holder on this host: taken over, saying so', () => {
    const dir = folder();
    const pid = deadPid();
    writeLock(dir, { pid, host: hostname(), since: '2020-01-01T00:00:00.000Z' });
    const notes: string[] = [];
    const lock = acquireLock(dir, { onNote: (m) => notes.push(m) });
    assert.equal(lockOf(dir).pid, process.pid);
    assert.equal(notes.length, 1);
    assert.match(
      notes[0],
      new RegExp(
        `taking over the stale lock of pid ${pid} on .* since 2020-01-01T00:00:00\\.000Z .*: pid ${pid} is no longer running`,
      ),
    );
    lock.release();
  });

  test(
    'a live pid that started at another time is a reused pid: taken over',
    { skip: !existsSync('/proc/self/stat') && 'no /proc here' },
    () => {
      const dir = folder();
      writeLock(dir, { pid: process.pid, host: hostname(), since: '2020-01-01T00:00:00.000Z', started: '1' });
      const notes: string[] = [];
      acquireLock(dir, { onNote: (m) => notes.push(m) }).release();
      assert.match(notes[0], /now belongs to another process/);
    },
  );

  test('a holder on another host cannot be checked: refused, naming it; --force-unlock takes it, saying so', () => {
    const dir = folder();
    const remote = { pid: 4242, host: 'elsewhere.example', since: '2021-02-03T04:05:06.000Z' };
    writeLock(dir, remote);
    assert.throws(
      () => acquireLock(dir),
      /in use by pid 4242 on elsewhere\.example since 2021-02-03T04:05:06\.000Z \(another host/,
    );
    const notes: string[] = [];
    const lock = acquireLock(dir, { force: true, onNote: (m) => notes.push(m) });
    assert.match(notes[0], /--force-unlock: removing the lock of pid 4242 on elsewhere\.example/);
    assert.equal(lockOf(dir).pid, process.pid);
    lock.release();
  });

  test('release leaves a lock that is no longer ours (someone forced it away) in place', () => {
    const dir = folder();
    const mine = acquireLock(dir);
    const theirs = { pid: 4243, host: 'other.example', since: '2022-01-01T00:00:00.000Z' };
    writeLock(dir, theirs);
    mine.release();
    assert.deepEqual(lockOf(dir), theirs);
  });

  test('an unreadable lock file that is not fresh is refused, pointing at --force-unlock', () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK_FILE), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    assert.throws(() => acquireLock(dir), /is not a readable lock.*--force-unlock/);
    acquireLock(dir, { force: true }).release();
  });

  test('process exit releases the lock (process.exit skips finally blocks)', async () => {
    const dir = folder();
    const r = await child(`acquireLock(${JSON.stringify(dir)}); process.stdout.write('held'); process.exit(3);`);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'held');
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });

  test('processes racing for a stale lock: exactly one takes it', async () => {
    const dir = folder();
    writeLock(dir, { pid: deadPid(), host: hostname(), since: '2020-01-01T00:00:00.000Z' });
    const body = `
      try {
        const l = acquireLock(${JSON.stringify(dir)});
        process.stdout.write('won');
        await new Promise((r) => setTimeout(r, 5000)); // longer than the others take to start
        l.release();
      } catch (e) {
        process.stdout.write(e.name === 'CampaignLockedError' ? 'refused' : 'error ' + e.message);
      }`;
    const results = await Promise.all([0, 1, 2, 3].map(() => child(body)));
    const outs = results.map((r) => r.stdout).sort();
    assert.deepEqual(outs, ['refused', 'refused', 'refused', 'won'], results.map((r) => r.stderr).join('\n'));
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });
});
