// The journal tail: complete lines only (a torn last line waits for its newline), appends arrive through
// fs.watch or the stat poll, a corrupt line is reported with its line number without stopping the tail,
// and a rewritten or replaced file starts over.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { Journal, type JournalEvent } from '../../src/campaign/journal.js';
import { JournalTail, type TailBatch, type TailProblem } from '../../src/dashboard/tail.js';

const root = mkdtempSync(join(tmpdir(), 'dash-tail-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function asked(index: number): JournalEvent {
  return { type: 'asked', index, trialId: `c-${index}`, decisions: [index, 1], hash: `h${index}` };
}
const line = (e: JournalEvent) => JSON.stringify(e) + '\n';

function setup(pollMs = 60_000) {
  const dir = join(root, `t${n++}`);
  const path = join(dir, 'journal.jsonl');
  const batches: TailBatch[] = [];
  const problems: TailProblem[] = [];
  const tail = new JournalTail(path, { pollMs, onBatch: (b) => batches.push(b), onProblem: (p) => problems.push(p) });
  const events = () => batches.flatMap((b) => b.events);
  return { dir, path, tail, batches, problems, events };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('JournalTail', () => {
  test('reads what is there, holds a torn last line back until its newline arrives', () => {
    const t = setup();
    const j = new Journal(t.path);
    j.append(asked(0));
    j.append(asked(1));
    j.close();
    const third = line(asked(2));
    appendFileSync(t.path, third.slice(0, 20)); // an append in progress
    t.tail.readNew();
    assert.deepEqual(
      t.events().map((e) => (e as { index: number }).index),
      [0, 1],
    );
    appendFileSync(t.path, third.slice(20, -1)); // complete JSON, newline still missing: still torn
    t.tail.readNew();
    assert.equal(t.events().length, 2);
    appendFileSync(t.path, '\n');
    t.tail.readNew();
    assert.deepEqual(
      t.events().map((e) => (e as { index: number }).index),
      [0, 1, 2],
    );
    assert.equal(
      t.batches.some((b) => b.reset),
      false,
    );
    t.tail.close();
  });

  test('follows appends live (fs.watch, or the poll where watching is silent)', async () => {
    const t = setup(200);
    const j = new Journal(t.path); // creates the folder and the file
    t.tail.start();
    for (let i = 0; i < 5; i++) j.append(asked(i));
    await until(() => t.events().length === 5);
    j.append(asked(5));
    await until(() => t.events().length === 6);
    j.close();
    t.tail.close();
  });

  test('a journal that appears after the tail started is picked up', async () => {
    const t = setup(100);
    t.tail.start();
    await new Promise((r) => setTimeout(r, 150));
    const j = new Journal(t.path);
    j.append(asked(0));
    j.close();
    await until(() => t.events().length === 1);
    t.tail.close();
  });

  test('a corrupt complete line is reported with its line number and the rest still read', () => {
    const t = setup();
    const j = new Journal(t.path);
    j.append(asked(0));
    j.close();
    appendFileSync(t.path, '{"type": oops\n' + line(asked(1)) + '\n' + '[1,2]\n' + line(asked(2)));
    t.tail.readNew();
    assert.deepEqual(
      t.events().map((e) => (e as { index: number }).index),
      [0, 1, 2],
    );
    assert.deepEqual(
      t.problems.map((p) => p.line),
      [2, 5],
    );
    assert.match(t.problems[0].message, /not a journal event/);
    assert.equal(t.problems[0].file, t.path);
  });

  test('multi-byte characters split across reads survive (UTF-8 decoded per line, not per chunk)', () => {
    const t = setup();
    const ev: JournalEvent = {
      type: 'told',
      index: 0,
      trialId: 'c-0',
      status: 'failed',
      error: 'ошибка ✗ 失敗',
      reward: 0,
      elapsed: 1,
    };
    const bytes = Buffer.from(line(ev));
    const cut = bytes.indexOf(Buffer.from('✗')) + 1; // inside the 3-byte character
    new Journal(t.path).close(); // creates the folder
    writeFileSync(t.path, bytes.subarray(0, cut));
    t.tail.readNew();
    appendFileSync(t.path, bytes.subarray(cut));
    t.tail.readNew();
    assert.equal((t.events()[0] as { error: string }).error, 'ошибка ✗ 失敗');
  });

  test('lines longer than a read chunk are reassembled; controller snapshots are skipped unparsed', () => {
    const t = setup();
    const j = new Journal(t.path);
    j.append(asked(0));
    j.append({
      type: 'controller-snapshot',
      asked: 1,
      told: 0,
      state: { kind: 'rl', version: 1, weights: 'w'.repeat(2_500_000) },
    });
    const big: JournalEvent = {
      type: 'told',
      index: 0,
      trialId: 'c-0',
      status: 'failed',
      error: 'e'.repeat(2_200_000),
      reward: 0,
      elapsed: 1,
    };
    j.append(big);
    j.append(asked(1));
    j.close();
    t.tail.readNew();
    assert.deepEqual(
      t.events().map((e) => e.type),
      ['asked', 'told', 'asked'],
    );
    assert.equal((t.events()[1] as { error: string }).error.length, 2_200_000);
    assert.deepEqual(t.problems, []);
  });

  test('a file rewritten shorter, or replaced by another file, starts over with reset', () => {
    const t = setup();
    new Journal(t.path).close();
    writeFileSync(t.path, line(asked(0)) + line(asked(1)) + line(asked(2)));
    t.tail.readNew();
    truncateSync(t.path, 0);
    appendFileSync(t.path, line(asked(7)));
    t.tail.readNew();
    const last = t.batches.at(-1)!;
    assert.equal(last.reset, true);
    assert.deepEqual(
      last.events.map((e) => (e as { index: number }).index),
      [7],
    );
    // Replaced through a rename (a new inode), even when longer than before.
    const other = join(t.dir, 'other.jsonl');
    writeFileSync(other, line(asked(8)) + line(asked(9)) + line(asked(10)));
    renameSync(other, t.path);
    t.tail.readNew();
    const again = t.batches.at(-1)!;
    assert.equal(again.reset, true);
    assert.deepEqual(
      again.events.map((e) => (e as { index: number }).index),
      [8, 9, 10],
    );
  });
});
