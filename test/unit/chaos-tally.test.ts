// The chaos benchmark's verdicts (bench/chaos/tally.ts): a lost trial, a trial told twice, a recomputed
// trial and a journal that drifted from the reference must each be reported, not averaged away.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { compareWithReference, startsPerTrial, tallyJournal, trialsOf } from '../../bench/chaos/tally.js';
import type { JournalEvent } from '../../src/campaign/journal.js';
import { syntheticMetrics } from '../../src/testing/synthetic-objective.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-chaos-tally-'));
after(() => rmSync(root, { recursive: true, force: true }));

const metrics = (AP: number) => syntheticMetrics({ AP, macs: 1, backend: 'fake' });
const asked = (index: number, hash = `h${index}`): JournalEvent => ({
  type: 'asked',
  index,
  trialId: `c-${index}`,
  decisions: [index],
  hash,
});
const told = (index: number, AP = index / 10): JournalEvent => ({
  type: 'told',
  index,
  trialId: `c-${index}`,
  status: 'complete',
  metrics: metrics(AP),
  reward: AP,
  elapsed: 0,
});

function journal(name: string, events: JournalEvent[]): string {
  const path = join(root, `${name}.jsonl`);
  writeFileSync(path, events.map((e) => JSON.stringify(e) + '\n').join(''));
  return path;
}

test('a clean journal: nothing lost, nothing told twice', () => {
  const t = tallyJournal(
    journal('clean', [
      { type: 'campaign-started', time: '', config: {} },
      asked(0),
      asked(1),
      told(0),
      told(1),
      { type: 'campaign-finished', time: '', reason: 'trials', asked: 2, told: 2 },
    ]),
  );
  assert.deepEqual(
    { ...t },
    { asked: 2, told: 2, finished: true, lost: [], toldTwice: [], askedTwice: [], resumes: 0 },
  );
});

test('lost, told-twice and asked-twice trials are named by index', () => {
  const t = tallyJournal(
    journal('bad', [
      { type: 'campaign-started', time: '', config: {} },
      asked(0),
      asked(1),
      asked(2),
      told(0),
      { type: 'campaign-resumed', time: '', asked: 3, told: 1 },
      told(0),
      asked(2),
      told(2),
    ]),
  );
  assert.deepEqual(t.lost, [1]);
  assert.deepEqual(t.toldTwice, [0]);
  assert.deepEqual(t.askedTwice, [2]);
  assert.equal(t.resumes, 1);
  assert.equal(t.finished, false);
});

test('recomputed trials: one start line per training, per trial id', () => {
  const dir = join(root, 'starts');
  mkdirSync(dir);
  writeFileSync(join(dir, 'c-0.starts'), '101\n');
  writeFileSync(join(dir, 'c-1.starts'), '101\n202\n303\n');
  writeFileSync(join(dir, 'unrelated.txt'), 'x\n');
  assert.deepEqual([...startsPerTrial(dir)].sort(), [
    ['c-0', 1],
    ['c-1', 3],
  ]);
  assert.equal(startsPerTrial(join(root, 'absent')).size, 0);
});

test('comparison with the reference finds a changed proposal, status or AP at its index', () => {
  const ref = trialsOf([asked(0), asked(1), asked(2), told(0), told(1), told(2)]);
  assert.deepEqual(compareWithReference(trialsOf([asked(0), asked(1), asked(2), told(0), told(1), told(2)]), ref), []);
  const run = trialsOf([
    asked(0),
    asked(1),
    asked(2, 'other'),
    told(0),
    {
      type: 'told',
      index: 1,
      trialId: 'c-1',
      status: 'failed',
      error: 'worker returned no trial result',
      reward: 0,
      elapsed: 0,
    },
    told(2),
  ]);
  assert.deepEqual(
    compareWithReference(run, ref).map((d) => d.index),
    [1, 2],
  );
  assert.match(compareWithReference(run, ref)[0].what, /status failed \(worker returned no trial result\) vs complete/);
  assert.deepEqual(compareWithReference(trialsOf([asked(0), told(0, 0.5)]), trialsOf([asked(0), told(0)])), [
    { index: 0, what: 'result AP 0.5 vs 0' },
  ]);
  assert.deepEqual(
    compareWithReference(trialsOf([asked(0), told(0)]), ref).map((d) => d.what),
    ['not in this run', 'not in this run'],
  );
});
