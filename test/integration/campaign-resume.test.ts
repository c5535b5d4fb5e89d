// Kill the campaign process at a random point and resume it (embedded pool, deterministic fake trainer):
// the journal's proposals and results are exactly those of an uninterrupted run with the same seed, for
// the random and the evolution controllers (the RL controller: campaign-resume-rl.test.ts). The kill
// point is random; it is printed so a failure can be replayed (PYRAMID_NAS_KILL_AT=k). Each test first
// proves the kill landed mid-run: a kill after the last trial would let it pass without resuming anything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { readJournal } from '../../src/campaign/journal.js';
import type { FakeSpec } from '../../src/testing/fake-trainer.js';
import {
  assertJournalExtends,
  assertKilledMidRun,
  journalEssence,
  killAndResumeEmbedded,
  referenceEssence,
} from './campaign-helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TRIALS = 10;
const spec: FakeSpec = { delayMs: [50, 250], nan: [4] };

describe('kill the campaign process, resume (embedded)', () => {
  for (const kind of ['random', 'evolution'] as const) {
    test(`${kind}: the resumed journal equals the uninterrupted one`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'pnas-resume-'));
      dirs.push(root);
      const input = {
        name: `resume-${kind}`,
        seed: 42,
        space: { name: 'nas-fpn' },
        controller: { kind, options: kind === 'evolution' ? { populationSize: 4, sampleSize: 2 } : {} },
        budget: { trials: TRIALS },
        concurrency: 2,
        snapshotEvery: 4,
        retry: { attempts: 2, backoffMs: 10 },
      };
      const want = await referenceEssence(input, join(root, 'ref'), spec);
      const r = await killAndResumeEmbedded(input, join(root, 'run'), spec);
      const where = `kill at k=${r.k} (${r.atKill.told} told, ${r.atKill.asked} asked) — replay with PYRAMID_NAS_KILL_AT=${r.k}`;
      assertKilledMidRun(r.atKill, TRIALS, where);
      assert.equal(r.code, 0, `resume failed, ${where}: ${r.stderr}`);
      assertJournalExtends(r.atKill, r.dir, where);
      assert.deepEqual(journalEssence(r.dir), want, where);
      const events = readJournal(join(r.dir, 'journal.jsonl'));
      assert.equal(events.filter((e) => e.type === 'campaign-resumed').length, 1);
      assert.equal(events.filter((e) => e.type === 'told').length, TRIALS);
    });
  }
});
