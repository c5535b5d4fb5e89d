import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createController } from '../../controllers/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { syntheticMetrics } from '../../src/testing/index.js';
import type { TrialOutcome } from '../../src/trial/types.js';

const ap = (v: number): TrialOutcome => ({ status: 'complete', metrics: syntheticMetrics({ AP: v, macs: 1 }) });
const score = (d: number[]) => d.filter((t) => t === 0).length / d.length;
const diff = (a: number[], b: number[]) => a.filter((t, k) => t !== b[k]).length;

interface Member {
  index: number;
  decisions: number[];
  reward: number;
}

test('evolution: random until P results are in, then children of the tournament winner; the oldest dies', async () => {
  const P = 6;
  const c = await createController('evolution', getSpace('nas-fpn'), { populationSize: P, sampleSize: P }, 'evo');
  // Warm-up: P random proposals, told in order.
  for (let k = 0; k < P; k++) {
    const p = await c.ask();
    await c.tell(p.index, k === 2 ? { status: 'invalid', error: 'bad' } : ap(score(p.decisions)));
  }
  let pop = c.state().population as Member[];
  assert.deepEqual(
    pop.map((m) => m.index),
    [0, 1, 2, 3, 4, 5],
  );
  assert.equal(pop[2].reward, 0, 'an invalid trial joins the population with rewardForInvalid');
  let mutations = 0;
  for (let k = 0; k < 40; k++) {
    pop = c.state().population as Member[];
    // With S = P the tournament is the whole population: the parent is a best member (ties: any of them).
    const top = Math.max(...pop.map((m) => m.reward));
    const winners = pop.filter((m) => m.reward === top);
    const p = await c.ask();
    if (winners.some((w) => diff(p.decisions, w.decisions) === 1)) mutations++;
    await c.tell(p.index, ap(score(p.decisions)));
    const after = c.state().population as Member[];
    assert.equal(after.length, P);
    assert.deepEqual(
      after.map((m) => m.index),
      [...pop.slice(1).map((m) => m.index), p.index],
      'aging: push the child, drop the oldest',
    );
  }
  assert.ok(mutations >= 38, `children are one-decision mutations of the winner (${mutations}/40)`);
});

test('evolution climbs a simple objective and rewardForInvalid is configurable', async () => {
  const space = getSpace('nas-fpn');
  const c = await createController('evolution', space, { rewardForInvalid: -1 }, 7);
  const rewards: number[] = [];
  for (let k = 0; k < 200; k++) {
    const p = await c.ask();
    rewards.push(score(p.decisions));
    await c.tell(p.index, k % 10 === 9 ? { status: 'failed', error: 'x' } : ap(score(p.decisions)));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(
    mean(rewards.slice(-50)) > mean(rewards.slice(0, 20)) + 0.1,
    `${mean(rewards.slice(0, 20))} → ${mean(rewards.slice(-50))}`,
  );
  const pop = c.state().population as Member[];
  assert.ok(
    pop.some((m) => m.reward === -1),
    'failed trials are in the population with rewardForInvalid',
  );
});
