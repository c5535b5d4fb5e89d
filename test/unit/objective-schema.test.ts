// The objective is defined once (controllers/reward.ts): the campaign file's `objective` is that schema
// with rewardForInvalid beside it, and a controller's options default to the same values. The resolved
// campaign's type is the campaign schema's output, not a copy of it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { z } from 'zod';

import { commonOptionFields } from '../../controllers/common.js';
import { campaignObjectiveSchema, objectiveSchema, rewardForInvalidSchema } from '../../controllers/reward.js';
import { campaignSchema, resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';

const minimal = { name: 'c', space: { name: 'nas-fpn' }, controller: { kind: 'random' }, budget: { trials: 1 } };

describe('one objective schema', () => {
  test('the campaign objective is the objective schema plus rewardForInvalid, field for field', () => {
    for (const [key, schema] of Object.entries(objectiveSchema.shape)) {
      assert.equal((campaignObjectiveSchema.shape as Record<string, unknown>)[key], schema, key);
    }
    assert.equal(campaignObjectiveSchema.shape.rewardForInvalid, rewardForInvalidSchema);
    assert.equal(commonOptionFields.rewardForInvalid, rewardForInvalidSchema);
    assert.deepEqual(
      Object.keys(campaignObjectiveSchema.shape).sort(),
      [...Object.keys(objectiveSchema.shape), 'rewardForInvalid'].sort(),
    );
  });

  test('absent, the campaign and a controller resolve the same defaults', () => {
    const fromCampaign = resolveCampaign(minimal).objective;
    const { rewardForInvalid, ...objective } = fromCampaign;
    assert.deepEqual(objective, commonOptionFields.objective.parse(undefined));
    assert.equal(rewardForInvalid, commonOptionFields.rewardForInvalid.parse(undefined));
    assert.deepEqual(objective, { metric: 'AP', w: -0.07 });
  });

  test('the same value is refused the same way', () => {
    const bad = { macsTarget: -1 };
    const a = objectiveSchema.safeParse(bad);
    const b = campaignSchema.safeParse({ ...minimal, objective: bad });
    assert.ok(!a.success && !b.success);
    assert.equal(b.error.issues[0].message, a.error.issues[0].message);
    assert.deepEqual(b.error.issues[0].path, ['objective', ...a.error.issues[0].path]);
  });
});

// Compile-time: ResolvedCampaign is the schema's output with concurrency and output always given (and the
// scheduler resolved against the proxy task: scheduler/config.ts).
type Output = z.output<typeof campaignSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const resolvedIsOutput: Same<
  Omit<ResolvedCampaign, 'concurrency' | 'output' | 'scheduler'>,
  Omit<Output, 'concurrency' | 'output' | 'scheduler'>
> = true;
const filled: Same<Pick<ResolvedCampaign, 'concurrency' | 'output'>, { concurrency: number; output: string }> = true;

test('ResolvedCampaign is derived from the schema (checked by the compiler)', () => {
  assert.ok(resolvedIsOutput && filled);
});
