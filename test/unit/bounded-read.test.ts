// Every file read from the user is read with a size cap, and only if it is a regular file: /dev/zero, a
// FIFO or a file over the limit is refused at once with the file, its size and the limit in the message.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { CampaignConfigError, loadCampaignFile } from '../../src/campaign/config.js';
import { JournalError, readJournal } from '../../src/campaign/journal.js';
import { readCocoInstances } from '../../src/data/coco-json.js';
import { DatasetError } from '../../src/data/errors.js';
import { EvalInputError } from '../../src/eval/errors.js';
import { readCocoGroundTruthFile } from '../../src/eval/files.js';
import { parseGraphFile } from '../../src/graph/index.js';
import {
  BoundedReadError,
  formatBytes,
  INPUT_LIMITS,
  readFileBounded,
  readTextBounded,
} from '../../src/util/read-bounded.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-bounded-'));
after(() => rmSync(root, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const f = join(root, name);
  writeFileSync(f, content);
  return f;
}

/** Fails the test instead of hanging it when a read does not stop. */
function withinSeconds<T>(s: number, what: string, fn: () => T): T {
  const t0 = Date.now();
  const out = fn();
  assert.ok(Date.now() - t0 < s * 1000, `${what} took ${Date.now() - t0} ms`);
  return out;
}

const HAVE_MKFIFO = (() => {
  try {
    execFileSync('mkfifo', [join(root, 'probe.fifo')]);
    return true;
  } catch {
    return false;
  }
})();

describe('readFileBounded', () => {
  test('reads a regular file whole, up to and including the limit', () => {
    const f = file('ok.txt', 'x'.repeat(1000));
    assert.equal(readTextBounded(f, 1000), 'x'.repeat(1000));
    assert.equal(readFileBounded(file('empty.txt', ''), 10).length, 0);
  });

  test('a file over the limit: its name, size and the limit, without reading it', () => {
    const f = file('big.txt', 'y'.repeat(3000));
    assert.throws(
      () => readFileBounded(f, 2048, 'campaign file'),
      (err: unknown) => {
        assert.ok(err instanceof BoundedReadError);
        assert.equal(err.code, 'TOO_LARGE');
        assert.match(err.message, /big\.txt: 2\.9 KiB \(3000 bytes\) is over the 2 KiB limit for a campaign file/);
        return true;
      },
    );
  });

  test('/dev/zero is refused as a character device, at once', () => {
    assert.throws(
      () => withinSeconds(2, 'reading /dev/zero', () => readFileBounded('/dev/zero', 1 << 20)),
      /\/dev\/zero: is a character device; only regular files are read/,
    );
  });

  test('a symbolic link to /dev/zero is refused too (the target decides)', () => {
    const link = join(root, 'zero-link.json');
    symlinkSync('/dev/zero', link);
    assert.throws(
      () => readFileBounded(link, 1 << 20),
      (err: unknown) => err instanceof BoundedReadError && err.code === 'NOT_REGULAR',
    );
  });

  test('a FIFO is refused without waiting for a writer', { skip: !HAVE_MKFIFO && 'no mkfifo here' }, () => {
    const fifo = join(root, 'campaign.fifo');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => withinSeconds(2, 'opening a FIFO', () => readFileBounded(fifo, 1024)), /FIFO \(named pipe\)/);
  });

  test(
    'a file that reports size 0 but has content (as /proc files do) is still read at most limit + 1 bytes',
    { skip: !existsSync('/proc/self/status') && 'no /proc here' },
    () => {
      assert.match(readTextBounded('/proc/self/status', 1 << 20), /^Name:/);
      assert.throws(() => readFileBounded('/proc/self/status', 64), /more than 64 B is over the 64 B limit/);
    },
  );

  test('a folder, and a missing file, are named as such', () => {
    assert.throws(() => readFileBounded(root, 1024), /is a directory/);
    assert.throws(
      () => readFileBounded(join(root, 'nope.json'), 1024),
      (err: unknown) =>
        err instanceof BoundedReadError && err.code === 'MISSING' && /nope\.json: no such file/.test(err.message),
    );
  });

  test('formatBytes and the documented limits', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1024 * 1024), '1 MiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(INPUT_LIMITS.campaign, 1024 * 1024);
    assert.equal(INPUT_LIMITS.graph, 4 * 1024 * 1024);
    assert.equal(INPUT_LIMITS.cocoJson, 500 * 1024 * 1024);
    assert.equal(INPUT_LIMITS.journal, 1024 * 1024 * 1024);
  });
});

describe('every reader of user files is bounded', () => {
  test('campaign file: /dev/zero and an oversized file are config errors at $', () => {
    assert.throws(
      () => withinSeconds(2, 'search /dev/zero', () => loadCampaignFile('/dev/zero')),
      (err: unknown) => {
        assert.ok(err instanceof CampaignConfigError);
        assert.equal(err.issues[0].path, '$');
        assert.match(err.message, /character device/);
        return true;
      },
    );
    const big = file('big.campaign.json', `{"name": "x", "pad": "${'z'.repeat(INPUT_LIMITS.campaign)}"}`);
    assert.throws(() => loadCampaignFile(big), /over the 1 MiB limit for a campaign file/);
  });

  test('graph file (validate, hash, render, train): an IO error, not a hang', async () => {
    const r = await parseGraphFile('/dev/zero');
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.errors[0].code, 'IO');
      assert.match(r.errors[0].message, /\/dev\/zero: is a character device/);
    }
    const big = await parseGraphFile(file('big.graph.json', ' '.repeat(INPUT_LIMITS.graph + 1)));
    assert.ok(!big.ok && /over the 4 MiB limit for a graph file/.test(big.errors[0].message));
  });

  test('COCO JSON for eval and for datasets', async () => {
    await assert.rejects(
      readCocoGroundTruthFile('/dev/zero'),
      (err: unknown) => err instanceof EvalInputError && err.code === 'IO' && /character device/.test(err.message),
    );
    assert.throws(
      () => readCocoInstances('/dev/zero'),
      (err: unknown) => err instanceof DatasetError && /\/dev\/zero: is a character device/.test(err.message),
    );
  });

  test('a journal that is a link to /dev/zero is a journal error', () => {
    const dir = mkdtempSync(join(root, 'campaign-'));
    symlinkSync('/dev/zero', join(dir, 'journal.jsonl'));
    assert.ok(existsSync(join(dir, 'journal.jsonl')));
    assert.throws(
      () => withinSeconds(2, 'reading the journal', () => readJournal(join(dir, 'journal.jsonl'))),
      (err: unknown) => err instanceof JournalError && /character device/.test(err.message),
    );
  });
});
