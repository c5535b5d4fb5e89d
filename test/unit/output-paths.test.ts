// Files written to a path the user chose go through writeFileAtomic, which refuses /proc, /sys and /dev
// for the file itself, not only for a folder it would create: the folder of /proc/self/x exists, yet a
// rename there must never be tried (under /dev it could replace /dev/null).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { writeFileAtomic } from '../../src/campaign/atomic.js';
import { OutputFolderError } from '../../src/campaign/output-folder.js';
import { exportCoco } from '../../src/data/export.js';
import type { ProxyDataset } from '../../src/data/types.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-outpaths-'));
after(() => rmSync(root, { recursive: true, force: true }));
const posix = process.platform !== 'win32';
const refused = (root: string) => (err: unknown) =>
  err instanceof OutputFolderError && err.message.includes(`refusing to write under ${root}`);

describe('writeFileAtomic and system paths', { skip: !posix && 'POSIX paths only' }, () => {
  test('a file whose folder exists under /proc or /sys is refused before anything is opened', () => {
    assert.throws(() => writeFileAtomic('/proc/self/pnas-out.svg', 'x'), refused('/proc'));
    assert.throws(() => writeFileAtomic('/sys/pnas-out.svg', 'x'), refused('/sys'));
  });

  test('also through a symbolic link to such a folder', () => {
    const link = join(root, 'to-proc');
    symlinkSync('/proc/self', link);
    assert.throws(() => writeFileAtomic(join(link, 'best.svg'), 'x'), refused('/proc'));
  });

  test('an ordinary path is written whole, with no temp file left', () => {
    const f = join(root, 'sub', 'best.svg');
    writeFileAtomic(f, '<svg/>');
    assert.equal(readFileSync(f, 'utf8'), '<svg/>');
    assert.deepEqual(readdirSync(join(root, 'sub')), ['best.svg']);
  });
});

describe('dataset export', { skip: !posix && 'POSIX paths only' }, () => {
  test('--out under /proc is refused before any image is made', async () => {
    // Nothing of the dataset is touched: the refusal comes first.
    const none = new Proxy({}, { get: () => assert.fail('the dataset was used') }) as ProxyDataset;
    await assert.rejects(exportCoco(none, { split: 'train', out: '/proc/self/pnas-export' }), refused('/proc'));
    assert.equal(existsSync('/proc/self/pnas-export'), false);
  });
});
