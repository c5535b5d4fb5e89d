// One campaign process per results folder, end to end: a second `search --resume` (or a fresh `search`)
// on a folder in use exits 2 naming the holder; a killed run's lock is taken over by the next resume;
// --force-unlock overrides; the lock is released on success, on error and on SIGINT/SIGTERM; and
// `status`/`export` refuse a journal in which a trial was told twice instead of showing duplicates.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { readJournal } from '../../src/campaign/journal.js';
import { LOCK_FILE } from '../../src/campaign/lock.js';
import { cli, countTold, killGroup, waitFor } from '../integration/campaign-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-lock-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const FAKE = (delayMs: number) => ({ PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify({ delayMs }) });

function campaignFile(name: string, output: string, trials: number): string {
  const f = join(root, `${name}.json`);
  writeFileSync(
    f,
    JSON.stringify({
      name,
      seed: 5,
      space: { name: 'nas-fpn', options: {} },
      controller: { kind: 'random' },
      budget: { trials },
      concurrency: 1,
      output,
      retry: { attempts: 1, backoffMs: 10 },
    }),
  );
  return f;
}

/** A campaign killed (SIGKILL, with its pool) after `told` trials: its folder holds a journal and a stale lock. */
async function killedCampaign(name: string, trials: number, told: number, delayMs: number): Promise<string> {
  const dir = join(root, name);
  const run = cli(['search', campaignFile(name, dir, trials), '--json'], FAKE(delayMs));
  await waitFor(
    `${told} told`,
    () => countTold(join(dir, 'journal.jsonl')) >= told || run.child.exitCode !== null,
    60_000,
  );
  await killGroup(run.child, 'SIGKILL');
  assert.ok(existsSync(join(dir, LOCK_FILE)), 'a killed run leaves its lock behind');
  return dir;
}

function lockHolderPid(dir: string): number | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid;
  } catch {
    return undefined;
  }
}

function toldIndices(dir: string): number[] {
  return readJournal(join(dir, 'journal.jsonl')).flatMap((e) => (e.type === 'told' ? [e.index] : []));
}

describe('search: one process per results folder', () => {
  test('two --resume at once: the second exits 2 naming the first; trials are told once; later resumes work', async () => {
    const dir = await killedCampaign('twice', 6, 1, 400);
    const a = cli(['search', '--resume', dir, '--json'], FAKE(400));
    try {
      await waitFor(
        'A to take over the stale lock',
        () => a.stderr().includes('taking over the stale lock') && lockHolderPid(dir) === a.child.pid,
        30_000,
      );
      assert.match(a.stderr(), /taking over the stale lock of pid \d+ on .*: pid \d+ is no longer running/);
      const b = cli(['search', '--resume', dir], FAKE(400));
      assert.equal(await b.exited, 2, b.stderr());
      assert.match(
        b.stderr(),
        new RegExp(
          `is in use by pid ${a.child.pid} on ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} since \\d{4}-\\d\\d-\\d\\dT`,
        ),
      );
      assert.equal(await a.exited, 0, a.stderr());
    } finally {
      await killGroup(a.child, 'SIGKILL');
    }
    assert.deepEqual(toldIndices(dir), [0, 1, 2, 3, 4, 5]);
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'released on normal exit');
    const again = cli(['search', '--resume', dir], FAKE(1));
    assert.equal(await again.exited, 0, again.stderr());
    const st = cli(['status', dir, '--json']);
    assert.equal(await st.exited, 0, st.stderr());
    assert.equal(JSON.parse(st.stdout()).trials.length, 6);
  });

  test('a fresh search into a folder another process holds is refused by the lock', async () => {
    const dir = join(root, 'held-fresh');
    mkdirSync(dir);
    // This test process is alive, on this host: a live holder.
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, host: hostname(), since: '2024-05-06T07:08:09.000Z' }),
    );
    const r = cli(['search', campaignFile('held-fresh', dir, 1), '--json'], FAKE(1));
    assert.equal(await r.exited, 2);
    assert.match(r.stderr(), new RegExp(`in use by pid ${process.pid} on .* since 2024-05-06T07:08:09\\.000Z`));
    const report = JSON.parse(r.stdout().trim().split('\n').at(-1)!);
    assert.equal(report.error, 'CampaignLockedError');
    assert.deepEqual(report.holder, { pid: process.pid, host: hostname(), since: '2024-05-06T07:08:09.000Z' });
    assert.equal(existsSync(join(dir, 'journal.jsonl')), false);
  });

  test('--force-unlock takes a folder whose lock names a live process, saying so', async () => {
    const dir = await killedCampaign('forced', 3, 1, 50);
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, host: hostname(), since: '2024-05-06T07:08:09.000Z' }),
    );
    const refused = cli(['search', '--resume', dir], FAKE(1));
    assert.equal(await refused.exited, 2);
    const forced = cli(['search', '--resume', dir, '--force-unlock'], FAKE(1));
    assert.equal(await forced.exited, 0, forced.stderr());
    assert.match(forced.stderr(), new RegExp(`--force-unlock: removing the lock of pid ${process.pid}`));
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    test(`${sig} releases the lock`, async () => {
      const dir = join(root, `signal-${sig}`);
      const run = cli(['search', campaignFile(`signal-${sig}`, dir, 5), '--json'], FAKE(2000));
      try {
        await waitFor(
          'the first trial to be asked',
          () =>
            existsSync(join(dir, 'journal.jsonl')) &&
            readFileSync(join(dir, 'journal.jsonl'), 'utf8').includes('"type":"asked"'),
          30_000,
        );
        assert.equal(lockHolderPid(dir), run.child.pid);
        run.child.kill(sig);
        assert.equal(await run.exited, 130, run.stderr());
      } finally {
        await killGroup(run.child, 'SIGKILL');
      }
      assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    });
  }

  test('an error after the lock is taken (the journal no longer replays) releases it', async () => {
    const dir = join(root, 'mismatch');
    const first = cli(['search', campaignFile('mismatch', dir, 2)], FAKE(1));
    assert.equal(await first.exited, 0, first.stderr());
    const journal = join(dir, 'journal.jsonl');
    // A proposal the controller would not make: resume stops with RESUME_MISMATCH, under the lock.
    writeFileSync(
      journal,
      readFileSync(journal, 'utf8').replace(/("type":"asked".*?"hash":")[0-9a-f]{64}/, `$1${'0'.repeat(64)}`),
    );
    const r = cli(['search', '--resume', dir], FAKE(1));
    assert.equal(await r.exited, 1, r.stderr());
    assert.match(r.stderr(), /the controller now proposes/);
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });
});

describe('status and export refuse a journal with a trial told twice', () => {
  test('exit 2 with journal.jsonl:LINE instead of duplicate rows', async () => {
    const dir = join(root, 'dup');
    const run = cli(['search', campaignFile('dup', dir, 3)], FAKE(1));
    assert.equal(await run.exited, 0, run.stderr());
    const journal = join(dir, 'journal.jsonl');
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    const toldAt = lines.findIndex((l) => l.includes('"type":"told"'));
    // What two processes appending to one journal leave: the same trial told a second time.
    writeFileSync(journal, [...lines, lines[toldAt]].join('\n') + '\n');
    const dupLine = lines.length + 1;
    for (const args of [
      ['status', dir],
      ['status', dir, '--json'],
      ['export', dir, '--out', join(root, 'dup-export')],
    ]) {
      const r = cli(args);
      assert.equal(await r.exited, 2, `${args.join(' ')}: ${r.stderr()}`);
      assert.match(
        r.stderr(),
        new RegExp(`journal\\.jsonl:${dupLine}: trial 0 told twice \\(first at line ${toldAt + 1}\\)`),
      );
      assert.equal(r.stdout(), '');
    }
    const resume = cli(['search', '--resume', dir]);
    assert.equal(await resume.exited, 2);
    assert.match(resume.stderr(), /told twice/);
  });
});
