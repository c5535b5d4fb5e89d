// Option fields every controller accepts (zod; unknown keys are rejected by each controller's schema).
import { z } from 'zod';
import { objectiveSchema } from './reward.js';

export const commonOptionFields = {
  /** What the reward is computed from (see reward.ts). */
  objective: objectiveSchema.default({ metric: 'AP', w: -0.07 }),
  /** Reward of a failed or invalid trial, and of any non-finite reward. */
  rewardForInvalid: z.number().finite().default(0),
};
