// Rewards from trial outcomes (docs/controllers.md, "Reward"): AP, or the MnasNet-style AP·(MACs/target)^w. A failed or
// invalid trial, or any reward that is not a finite number, gets `rewardForInvalid`: a policy is never fed
// a NaN, and no trial is silently dropped.
import { z } from 'zod';

import type { TrialOutcome } from '../src/trial/types.js';

export const objectiveSchema = z.strictObject({
  metric: z.literal('AP').default('AP'),
  /** MACs at which the cost factor is 1. Without it the reward is AP alone. */
  macsTarget: z.number().positive().optional(),
  /** Exponent of (MACs/target); MnasNet's soft constraint uses −0.07. */
  w: z.number().finite().default(-0.07),
});
export type Objective = z.output<typeof objectiveSchema>;
export type ObjectiveInput = z.input<typeof objectiveSchema>;

/** Reward of a failed or invalid trial, and of any reward that is not a finite number. */
export const rewardForInvalidSchema = z.number().finite().default(0);

/** A campaign file's `objective`: the objective with rewardForInvalid beside it, the one place a campaign defines its reward. */
export const campaignObjectiveSchema = objectiveSchema.extend({ rewardForInvalid: rewardForInvalidSchema });
export type CampaignObjective = z.output<typeof campaignObjectiveSchema>;

export interface Reward {
  reward: number;
  /** False when the outcome was not complete or its reward was not finite (rewardForInvalid was used). */
  valid: boolean;
}

export function computeReward(outcome: TrialOutcome, objective: Objective, rewardForInvalid = 0): Reward {
  const invalid = { reward: rewardForInvalid, valid: false };
  if (outcome.status !== 'complete' || !outcome.metrics) return invalid;
  const ap = outcome.metrics[objective.metric];
  if (typeof ap !== 'number' || !Number.isFinite(ap)) return invalid;
  let reward = ap;
  if (objective.macsTarget !== undefined) {
    const macs = outcome.metrics.macs;
    if (typeof macs !== 'number' || !(macs > 0)) return invalid;
    reward = ap * Math.pow(macs / objective.macsTarget, objective.w);
  }
  return Number.isFinite(reward) ? { reward, valid: true } : invalid;
}
