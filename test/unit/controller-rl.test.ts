import assert from 'node:assert/strict';
import { test } from 'node:test';

import seedrandom from 'seedrandom';

import { createController, RlController } from '../../controllers/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { syntheticMetrics } from '../../src/testing/index.js';
import type { TrialOutcome } from '../../src/trial/types.js';

const ap = (v: number): TrialOutcome => ({ status: 'complete', metrics: syntheticMetrics({ AP: v, macs: 1 }) });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('rl learns: match to a hidden target architecture rises clearly within 300 asks', async (t) => {
  const space = getSpace('nas-fpn');
  const target = space.sample(seedrandom('hidden target'));
  const reward = (d: number[]) => d.filter((t, k) => t === target[k]).length / d.length;
  const c = await createController('rl', space, {}, 'learns');
  const inFlight: { index: number; decisions: number[] }[] = [];
  const seen: number[] = [];
  for (let k = 0; k < 300; k++) {
    const p = await c.ask();
    seen.push(reward(p.decisions));
    inFlight.push(p);
    if (inFlight.length >= 4) {
      const done = inFlight.shift()!; // results arrive while later proposals are in flight
      await c.tell(done.index, ap(reward(done.decisions)));
    }
  }
  const first = mean(seen.slice(0, 50));
  const last = mean(seen.slice(-50));
  t.diagnostic(`mean reward: first 50 asks ${first.toFixed(3)}, last 50 ${last.toFixed(3)}`);
  // A uniform policy matches ~30% of the tokens; the learned one should do much better.
  assert.ok(
    last > first + 0.15,
    `mean reward of the first 50 asks ${first.toFixed(3)}, of the last 50 ${last.toFixed(3)}`,
  );
  (c as RlController).dispose();
});

test('rl: NaN and failed results are told as rewardForInvalid and never reach the policy', async () => {
  const space = getSpace('nas-fpn', { cells: 5 });
  const c = (await createController('rl', space, { batchSize: 4, rewardForInvalid: -0.5 }, 3)) as RlController;
  for (let k = 0; k < 12; k++) {
    const p = await c.ask();
    const outcome = k % 3 === 0 ? ap(NaN) : k % 3 === 1 ? { status: 'failed' as const, error: 'oom' } : ap(0.3);
    await c.tell(p.index, outcome);
  }
  const s = c.state() as unknown as { policy: { weights: number[][] }; stats: { baseline: number; updates: number } };
  assert.equal(s.stats.updates, 3);
  assert.ok(Number.isFinite(s.stats.baseline));
  // Baseline mixes -0.5 (NaN and failed) and 0.3 (complete): it must lie between them.
  assert.ok(s.stats.baseline > -0.5 && s.stats.baseline < 0.3);
  assert.ok(
    s.policy.weights.every((w) => Array.isArray(w) && w.every(Number.isFinite)),
    'weights are finite plain numbers',
  );
  c.dispose();
});
