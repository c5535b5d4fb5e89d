// Where a campaign may write: never under /proc, /sys or /dev (also through a symbolic link), and a fresh
// campaign only into an absent or empty folder.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';

import { writeFileAtomic } from '../../src/campaign/atomic.js';
import { CampaignError } from '../../src/campaign/errors.js';
import { LOCK_FILE } from '../../src/campaign/lock.js';
import {
  checkFreshFolder,
  OutputFolderError,
  refuseSystemPath,
  resolveExisting,
} from '../../src/campaign/output-folder.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-outdir-'));
after(() => rmSync(root, { recursive: true, force: true }));
const posix = process.platform !== 'win32';

describe('system paths', { skip: !posix && 'POSIX paths only' }, () => {
  test('/proc, /sys and /dev and anything under them are refused, naming the root', () => {
    for (const p of ['/proc', '/proc/self/x/y', '/sys/kernel/results', '/dev/shm/results', '/dev']) {
      assert.throws(
        () => refuseSystemPath(p),
        (err: unknown) =>
          err instanceof OutputFolderError &&
          err.message.includes(`refusing to write under ${p.split('/').slice(0, 2).join('/')}`),
        p,
      );
    }
    for (const p of ['/process', '/devices-and-more', join(root, 'proc')]) refuseSystemPath(p);
  });

  test('a relative path that climbs into /proc is refused', () => {
    const up = relative(process.cwd(), '/proc/self/cwd/results');
    assert.throws(() => refuseSystemPath(up), /refusing to write under \/proc/);
  });

  test('a symbolic link into /proc is followed: refused, saying where it resolves to', () => {
    const link = join(root, 'innocent');
    symlinkSync('/proc/self', link);
    assert.throws(
      () => refuseSystemPath(join(link, 'results', 'run')),
      /refusing to write under \/proc \(it resolves to \/proc\/\d+\/results\/run\)/,
    );
  });

  test('resolveExisting resolves the existing part and keeps the rest', () => {
    const real = mkdtempSync(join(root, 'real-'));
    const link = join(root, 'to-real');
    symlinkSync(real, link);
    assert.equal(resolveExisting(join(link, 'a', 'b')), join(resolveExisting(real), 'a', 'b'));
  });

  test('writeFileAtomic refuses to create folders under /proc (a recursive mkdir there can spin forever)', () => {
    assert.throws(() => writeFileAtomic('/proc/pyramid-nas-test/out/x.json', '{}'), OutputFolderError);
  });
});

describe('a fresh campaign needs an empty or absent folder', () => {
  test('absent, and empty (a lock file or an empty journal do not count)', () => {
    assert.equal(checkFreshFolder(join(root, 'not-yet', 'deeper')), 'absent');
    const empty = mkdtempSync(join(root, 'empty-'));
    assert.equal(checkFreshFolder(empty), 'empty');
    writeFileSync(join(empty, LOCK_FILE), '{}');
    writeFileSync(join(empty, 'journal.jsonl'), '');
    assert.equal(checkFreshFolder(empty), 'empty');
  });

  test('a folder with files is refused, listing them; nothing is replaced', () => {
    const used = mkdtempSync(join(root, 'used-'));
    writeFileSync(join(used, 'trials.csv'), 'precious');
    writeFileSync(join(used, 'campaign.json'), '{}');
    assert.throws(
      () => checkFreshFolder(used),
      (err: unknown) => {
        assert.ok(err instanceof OutputFolderError);
        assert.match(
          err.message,
          /not empty \(holds campaign\.json, trials\.csv\); a fresh campaign writes only into an empty or new folder/,
        );
        return true;
      },
    );
  });

  test('a folder holding a journal: the hint is --resume', () => {
    const prior = mkdtempSync(join(root, 'prior-'));
    writeFileSync(join(prior, 'journal.jsonl'), '{"type":"campaign-started"}\n');
    assert.throws(
      () => checkFreshFolder(prior),
      (err: unknown) =>
        err instanceof CampaignError && err.code === 'EXISTS' && err.message.includes(`--resume ${prior}`),
    );
  });

  test('a file, or a path through a file, is not a folder', () => {
    const f = join(root, 'plain.txt');
    writeFileSync(f, 'x');
    assert.throws(() => checkFreshFolder(f), /exists and is not a folder/);
    assert.throws(() => checkFreshFolder(join(f, 'sub')), /a parent of this path is a file/);
  });

  test('many entries are summarized', () => {
    const crowded = mkdtempSync(join(root, 'crowded-'));
    for (let i = 0; i < 8; i++) mkdirSync(join(crowded, `d${i}`));
    assert.throws(() => checkFreshFolder(crowded), /holds d0, d1, d2, d3, d4, … \(8 entries\)/);
  });
});
