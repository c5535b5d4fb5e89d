// Properties of the reward (controllers/reward.ts): always finite; failed/invalid/non-finite → the
// invalid reward; AP alone without a MACs target; MnasNet's AP·(MACs/target)^w otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import { computeReward, objectiveSchema } from '../../controllers/index.js';
import type { TrialOutcome } from '../../src/trial/types.js';

const RUNS = 1000;
const metrics = (AP: number, macs: number) => ({
  AP,
  AP50: 0,
  AP75: 0,
  APs: 0,
  APm: 0,
  APl: 0,
  params: 0,
  macs,
  trainSeconds: 0,
  evalSeconds: 0,
  backend: 'test',
});
const anyNumber = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0, 1e300));
const objective = fc.record({
  macsTarget: fc.option(fc.double({ min: 1, max: 1e12, noNaN: true }), { nil: undefined }),
  w: fc.double({ min: -1, max: 1, noNaN: true }),
});
const outcome: fc.Arbitrary<TrialOutcome> = fc.oneof(
  fc.record({
    status: fc.constant('complete' as const),
    metrics: fc.tuple(anyNumber, anyNumber).map(([a, m]) => metrics(a, m)),
  }),
  fc.record({ status: fc.constantFrom('failed' as const, 'invalid' as const), error: fc.string() }),
);

test('the reward is always finite; anything not complete and finite gets rewardForInvalid', () => {
  fc.assert(
    fc.property(outcome, objective, fc.double({ noNaN: true, noDefaultInfinity: true }), (o, obj, invalid) => {
      const r = computeReward(o, objectiveSchema.parse(obj), invalid);
      assert.ok(Number.isFinite(r.reward));
      if (o.status !== 'complete' || !Number.isFinite(o.metrics!.AP))
        assert.deepEqual(r, { reward: invalid, valid: false });
      if (!r.valid) assert.equal(r.reward, invalid);
    }),
    { numRuns: RUNS },
  );
});

test('without a MACs target the reward is AP; with one it is AP·(MACs/target)^w', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 1, max: 1e12, noNaN: true }),
      fc.double({ min: 1, max: 1e12, noNaN: true }),
      fc.double({ min: -1, max: 1, noNaN: true }),
      (ap, macs, target, w) => {
        const o: TrialOutcome = { status: 'complete', metrics: metrics(ap, macs) };
        assert.deepEqual(computeReward(o, objectiveSchema.parse({})), { reward: ap, valid: true });
        const r = computeReward(o, objectiveSchema.parse({ macsTarget: target, w }));
        assert.ok(r.valid);
        assert.ok(Math.abs(r.reward - ap * Math.pow(macs / target, w)) <= 1e-12 * Math.max(1, Math.abs(r.reward)));
        // At the target the cost factor is 1; with w < 0 more MACs never raise the reward.
        assert.equal(
          computeReward(
            { status: 'complete', metrics: metrics(ap, target) },
            objectiveSchema.parse({ macsTarget: target, w }),
          ).reward,
          ap,
        );
        if (w < 0) {
          const more = computeReward(
            { status: 'complete', metrics: metrics(ap, macs * 2) },
            objectiveSchema.parse({ macsTarget: target, w }),
          );
          assert.ok(more.reward <= r.reward);
        }
      },
    ),
    { numRuns: RUNS },
  );
});

test("objective options: the default w is MnasNet's −0.07 and unknown keys are rejected", () => {
  assert.deepEqual(objectiveSchema.parse({}), { metric: 'AP', w: -0.07 });
  assert.throws(() => objectiveSchema.parse({ metric: 'AP', wieght: 1 }));
  assert.throws(() => objectiveSchema.parse({ macsTarget: -5 }));
});
