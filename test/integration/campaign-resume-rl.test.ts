// Exact resume with the RL controller (embedded pool, fake trainer): the campaign process is killed at a
// random point after some PPO updates may have happened, resumed, and the journal's proposals and
// results must equal an uninterrupted run's. The policy's weights, Adam state, baseline and RNG all come
// back from the last snapshot plus the replayed asks and tells; any drift changes a later proposal.
// Replay a failing kill point with PYRAMID_NAS_KILL_AT=k.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

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

const TRIALS = 12;
// A failed trial (NaN loss) too: the policy must be told it as rewardForInvalid on both sides.
const spec: FakeSpec = { delayMs: [50, 250], nan: [5] };

test('rl: the resumed journal equals the uninterrupted one (PPO updates before and after the kill)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pnas-resume-rl-'));
  dirs.push(root);
  const input = {
    name: 'resume-rl',
    seed: 7,
    space: { name: 'nas-fpn' },
    // A PPO update every 3 told results and a snapshot every 5 events: the kill falls between updates and
    // between snapshots, so the resumed controller replays tells into a restored, already-updated policy.
    controller: { kind: 'rl' as const, options: { batchSize: 3, epochs: 2, hidden: 16, embedding: 8 } },
    budget: { trials: TRIALS },
    concurrency: 2,
    snapshotEvery: 5,
    retry: { attempts: 2, backoffMs: 10 },
  };
  const want = await referenceEssence(input, join(root, 'ref'), spec);
  // At least 4 told before the kill: the policy has taken a PPO step the resumed process must restore.
  const r = await killAndResumeEmbedded(input, join(root, 'run'), spec, 4);
  const where = `kill at k=${r.k} (${r.atKill.told} told, ${r.atKill.asked} asked) — replay with PYRAMID_NAS_KILL_AT=${r.k}`;
  assertKilledMidRun(r.atKill, TRIALS, where);
  assert.equal(r.code, 0, `resume failed, ${where}: ${r.stderr}`);
  assertJournalExtends(r.atKill, r.dir, where);
  assert.deepEqual(journalEssence(r.dir), want, where);
  const events = readJournal(join(r.dir, 'journal.jsonl'));
  assert.equal(events.filter((e) => e.type === 'campaign-resumed').length, 1);
  assert.equal(events.filter((e) => e.type === 'told').length, TRIALS);
  // The policy really learned on both sides of the kill: the last snapshot counts all of its PPO updates.
  const snaps = events.filter((e) => e.type === 'controller-snapshot');
  const last = snaps[snaps.length - 1] as { state: { stats?: { updates?: number } } } | undefined;
  assert.ok(
    (last?.state.stats?.updates ?? 0) >= 3,
    `PPO updates in the last snapshot: ${JSON.stringify(last?.state.stats)}`,
  );
});
