// Journal reading (torn tails, corruption named by line), Pareto fronts, CSV escaping, atomic writes.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { writeFileAtomic } from '../../src/campaign/atomic.js';
import { Journal, JournalError, readJournalFile } from '../../src/campaign/journal.js';
import { trialsCsv } from '../../src/campaign/outputs.js';
import { dominates, paretoFront } from '../../src/campaign/pareto.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pnas-journal-'));

describe('journal', () => {
  test('appends whole lines and reads them back', () => {
    const f = join(dir(), 'journal.jsonl');
    const j = new Journal(f);
    j.append({ type: 'campaign-started', time: 't', config: { a: 1 } });
    j.append({ type: 'asked', index: 0, trialId: 'c-0', decisions: [1, 2], hash: 'h' });
    j.close();
    const { events, intactBytes } = readJournalFile(f);
    assert.equal(events.length, 2);
    assert.equal(intactBytes, readFileSync(f).length);
  });

  test('a torn last line is dropped and its offset reported; a bad middle line is an error naming the line', () => {
    const f = join(dir(), 'journal.jsonl');
    const good = '{"type":"asked","index":0}\n';
    writeFileSync(f, good + '{"type":"to');
    assert.deepEqual(readJournalFile(f), {
      events: [{ type: 'asked', index: 0 }],
      intactBytes: Buffer.byteLength(good),
    });
    // Complete JSON without its newline: the append did not finish, so it is torn too.
    writeFileSync(f, good + '{"type":"told","index":0}');
    assert.equal(readJournalFile(f).events.length, 1);
    writeFileSync(f, good + 'garbage\n' + good);
    assert.throws(
      () => readJournalFile(f),
      (e: unknown) => e instanceof JournalError && e.line === 2 && e.message.includes(':2:'),
    );
    assert.throws(() => readJournalFile(join(dir(), 'missing.jsonl')), /no journal here/);
  });
});

describe('pareto front', () => {
  const point = fc.record({
    AP: fc.integer({ min: 0, max: 5 }),
    costs: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })),
  });
  test('no point of the front is dominated, and every point off the front is dominated by one on it', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 30 }), (pts) => {
        const front = paretoFront(pts);
        for (const p of front) assert.ok(!pts.some((q) => dominates(q, p)));
        for (const p of pts) if (!front.includes(p)) assert.ok(front.some((q) => dominates(q, p)));
      }),
      { numRuns: 1000 },
    );
  });
  test('dominance is irreflexive and antisymmetric', () => {
    fc.assert(
      fc.property(point, point, (a, b) => !dominates(a, a) && !(dominates(a, b) && dominates(b, a))),
      { numRuns: 1000 },
    );
  });
});

describe('outputs', () => {
  test('CSV cells with commas, quotes and newlines are quoted', () => {
    const csv = trialsCsv([
      { index: 0, trialId: 'c-0', decisions: [], hash: 'h', status: 'failed', reward: 0, error: 'bad, "very"\nbad' },
    ]);
    assert.equal(csv.split('\n')[1].endsWith('"bad, ""very""'), true);
    // Without a scheduler the rung is empty (and the steps, with no campaign config to say them).
    assert.equal(csv.endsWith('bad",,\n'), true);
  });
  test('the rung and steps columns come after every earlier column', () => {
    const head = trialsCsv([]).trim();
    assert.equal(
      head,
      'index,trialId,status,reward,AP,AP50,AP75,APs,APm,APl,proxyParams,proxyMacs,proxyChannels,proxyRepeats,' +
        'proxyImageSize,trainSeconds,wallSeconds,worker,hash,error,rung,steps',
    );
  });
  test('atomic writes leave no temp files and replace the target', () => {
    const d = dir();
    writeFileAtomic(join(d, 'a', 'x.json'), 'one');
    writeFileAtomic(join(d, 'a', 'x.json'), 'two');
    assert.equal(readFileSync(join(d, 'a', 'x.json'), 'utf8'), 'two');
    assert.deepEqual(readdirSync(join(d, 'a')), ['x.json']);
  });
});
