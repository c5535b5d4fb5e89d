// Warm start in every built-in controller: the seeds are the first proposals, in order, and are told like
// any other; a controller restored from a state taken between two seeds proposes the next seed; rl keeps
// its policy's log-probabilities of each seed's tokens, so a seed enters its PPO batch like a sample.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createController, type RlController } from '../../controllers/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { seededRandom } from '../../src/testing/rng.js';
import type { TrialOutcome } from '../../src/trial/types.js';

const space = getSpace('nas-fpn');
const seeds = [space.sample(seededRandom(11)), space.sample(seededRandom(12))];
const outcome = (AP: number): TrialOutcome => ({
  status: 'complete',
  metrics: {
    AP,
    AP50: 0,
    AP75: 0,
    APs: 0,
    APm: 0,
    APl: 0,
    params: 1,
    macs: 1,
    trainSeconds: 0,
    evalSeconds: 0,
    backend: 't',
  },
});
const OPTIONS: Record<string, object> = {
  random: {},
  evolution: { populationSize: 3, sampleSize: 2 },
  'pareto-evolution': { populationSize: 3, sampleSize: 2 },
  rl: { batchSize: 2, epochs: 1, hidden: 8, embedding: 4 },
};

describe('warm start', () => {
  for (const kind of Object.keys(OPTIONS)) {
    test(`${kind}: the seeds come first, in order, are told like any proposal, and survive state() → load()`, async () => {
      const c = await createController(kind, space, OPTIONS[kind], 'w');
      c.warmStart!(seeds);
      const first = await c.ask();
      assert.deepEqual(first.decisions, seeds[0]);
      // Restored between the two seeds (a resumed campaign passes the same seeds again).
      const copy = await createController(kind, space, OPTIONS[kind], 'other');
      copy.warmStart!(seeds);
      copy.load(JSON.parse(JSON.stringify(c.state())));
      for (const x of [c, copy]) {
        const second = await x.ask();
        assert.deepEqual(second.decisions, seeds[1]);
        assert.notDeepEqual((await x.ask()).decisions, seeds[0]);
        await x.tell(0, outcome(0.4));
        await x.tell(1, outcome(0.3));
        await x.tell(2, outcome(0.1));
      }
      assert.deepEqual((await c.ask()).decisions, (await copy.ask()).decisions);
      (c as { dispose?: () => void }).dispose?.();
      (copy as { dispose?: () => void }).dispose?.();
    });
  }

  test('rl keeps the policy log-probabilities of a seed, and a batch with seeds updates the policy', async () => {
    const c = (await createController('rl', space, OPTIONS.rl, 'w')) as RlController;
    c.warmStart(seeds);
    await c.ask();
    await c.ask();
    const pending = (c.state().book as { pending: { extra: number[] }[] }).pending;
    for (const p of pending) {
      assert.equal(p.extra.length, space.decisionCount);
      assert.ok(p.extra.every((lp) => lp <= 0 && Number.isFinite(lp)));
    }
    await c.tell(0, outcome(0.5));
    await c.tell(1, outcome(0.1));
    assert.equal(c.info.updates, 1);
    assert.ok(Number.isFinite(c.info.lastLoss!));
    c.dispose();
  });
});
