// Atomic writes and journal appends under short writes and a full disk (both injected through the
// write seam): every byte lands, or the error names the file, no temp file is left, the old target is
// untouched, and a journal line that did not make it is never shown or followed by another line.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';

import { OutputWriteError, writeFileAtomic, writeIo } from '../../src/campaign/atomic.js';
import { type CampaignEvent, runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { Journal, type JournalEvent, readJournal } from '../../src/campaign/journal.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { createFakeTrainer } from '../../src/testing/fake-trainer.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));
const realWrite = writeIo.writeSync;
afterEach(() => {
  writeIo.writeSync = realWrite;
});

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
  });
}

/** Every write(2) writes at most `chunk` bytes, as the kernel may. */
function shortWrites(chunk: number): void {
  writeIo.writeSync = (fd, buf, off, len) => writeSync(fd, buf, off, Math.min(len, chunk));
}

/** The disk fills after `room` more bytes: partial writes, then ENOSPC. */
function diskFullAfter(room: number): void {
  let left = room;
  writeIo.writeSync = (fd, buf, off, len) => {
    if (left <= 0) throw enospc();
    const n = writeSync(fd, buf, off, Math.min(len, left, 4096));
    left -= n;
    return n;
  };
}

const event = (i: number): JournalEvent => ({
  type: 'asked',
  index: i,
  trialId: `t-${i}`,
  decisions: Array(50).fill(i),
  hash: 'h'.repeat(64),
});

describe('writeFileAtomic', () => {
  test('short writes: every byte of a 100 KB file lands', () => {
    const dir = mkdtempSync(join(root, 'short-'));
    const text = Array.from({ length: 10_000 }, (_, i) => `line ${i}`).join('\n');
    shortWrites(4096);
    writeFileAtomic(join(dir, 'best.svg'), text);
    assert.equal(readFileSync(join(dir, 'best.svg'), 'utf8'), text);
    assert.deepEqual(readdirSync(dir), ['best.svg']);
  });

  test('a full disk: the error names the file, the old file stays whole, no .tmp is left', () => {
    const dir = mkdtempSync(join(root, 'full-'));
    const target = join(dir, 'best.svg');
    writeFileSync(target, 'the previous picture');
    diskFullAfter(4096);
    assert.throws(
      () => writeFileAtomic(target, 'z'.repeat(20_000)),
      (err: unknown) => {
        assert.ok(err instanceof OutputWriteError);
        assert.equal(err.systemCode, 'ENOSPC');
        assert.equal(err.file, target);
        assert.match(err.message, /best\.svg: cannot write: no space left on device \(ENOSPC\)/);
        return true;
      },
    );
    writeIo.writeSync = realWrite;
    assert.equal(readFileSync(target, 'utf8'), 'the previous picture');
    assert.deepEqual(readdirSync(dir), ['best.svg'], 'no temporary file left behind');
  });

  test('a write that makes no progress is an error, not an endless loop', () => {
    const dir = mkdtempSync(join(root, 'stuck-'));
    writeIo.writeSync = () => 0;
    assert.throws(
      () => writeFileAtomic(join(dir, 'trials.csv'), 'a,b\n'),
      /trials\.csv: cannot write: no space left on device/,
    );
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('Journal.append', () => {
  test('short writes: every line whole', () => {
    const path = join(mkdtempSync(join(root, 'j-short-')), 'journal.jsonl');
    const j = new Journal(path);
    shortWrites(7);
    for (let i = 0; i < 20; i++) j.append(event(i));
    j.close();
    writeIo.writeSync = realWrite;
    assert.deepEqual(
      readJournal(path),
      Array.from({ length: 20 }, (_, i) => event(i)),
    );
  });

  test('a full disk mid-line: the error names the journal, the line is cut back, the next append starts clean', () => {
    const path = join(mkdtempSync(join(root, 'j-full-')), 'journal.jsonl');
    const j = new Journal(path);
    j.append(event(0));
    const size = statSync(path).size;
    diskFullAfter(100); // part of the next line, then ENOSPC
    assert.throws(
      () => j.append(event(1)),
      (err: unknown) =>
        err instanceof OutputWriteError &&
        err.file === path &&
        /journal\.jsonl: cannot write: no space left on device/.test(err.message),
    );
    assert.equal(statSync(path).size, size, 'the torn line was removed');
    writeIo.writeSync = realWrite;
    j.append(event(2));
    j.close();
    assert.deepEqual(readJournal(path), [event(0), event(2)]);
  });
});

describe('the campaign shows nothing the journal does not hold', () => {
  const cfg = resolveCampaign({
    name: 'atomic',
    seed: 3,
    space: { name: 'nas-fpn', options: {} },
    controller: { kind: 'random' },
    budget: { trials: 3 },
    concurrency: 1,
    retry: { attempts: 1, backoffMs: 1 },
  });
  const env = (onEvent?: (e: CampaignEvent) => void) => {
    const space = campaignSpace(cfg);
    const queue = new EmbeddedQueue(inlineRunner(createFakeTrainer({ delayMs: 1 })), {
      concurrency: 1,
      attempts: 1,
      backoffMs: 1,
    });
    return { space, createController: () => campaignController(cfg, space), queue, onEvent };
  };

  test('campaign-started cannot be written: no campaign.json either (the folder stays fresh)', async () => {
    const dir = join(mkdtempSync(join(root, 'c-start-')), 'out');
    writeIo.writeSync = (fd, buf, off, len) => {
      if (Buffer.from(buf.subarray(off, off + len)).includes('"type":"campaign-started"')) throw enospc();
      return writeSync(fd, buf, off, len);
    };
    const e = env();
    try {
      await assert.rejects(
        runCampaign(cfg, e, { dir, resume: false }),
        (err: unknown) => err instanceof OutputWriteError && /journal\.jsonl: cannot write/.test(err.message),
      );
    } finally {
      await e.queue.close();
    }
    writeIo.writeSync = realWrite;
    assert.equal(existsSync(join(dir, 'campaign.json')), false);
    assert.equal(readFileSync(join(dir, 'journal.jsonl'), 'utf8'), '');
    assert.deepEqual(readdirSync(dir), ['journal.jsonl'], 'no lock or temporary file left');
    // Once there is room again, the same folder takes the campaign afresh.
    const again = env();
    try {
      assert.equal((await runCampaign(cfg, again, { dir, resume: false })).stats.told, 3);
    } finally {
      await again.queue.close();
    }
  });

  test('a told event that cannot be journaled: no graph file, no told event shown', async () => {
    const dir = join(mkdtempSync(join(root, 'c-told-')), 'out');
    writeIo.writeSync = (fd, buf, off, len) => {
      if (Buffer.from(buf.subarray(off, off + len)).includes('"type":"told"')) throw enospc();
      return writeSync(fd, buf, off, len);
    };
    const shown: CampaignEvent[] = [];
    const e = env((ev) => shown.push(ev));
    try {
      await assert.rejects(runCampaign(cfg, e, { dir, resume: false }), OutputWriteError);
    } finally {
      await e.queue.close();
    }
    writeIo.writeSync = realWrite;
    assert.equal(shown.filter((ev) => ev.type === 'told').length, 0);
    assert.equal(existsSync(join(dir, 'graphs', 'atomic-0.graph.json')), false);
    const events = readJournal(join(dir, 'journal.jsonl'));
    assert.equal(events.filter((ev) => ev.type === 'told').length, 0);
    assert.equal(events.filter((ev) => ev.type === 'asked').length, 1);
  });
});
