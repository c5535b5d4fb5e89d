// Option fields every controller accepts (zod; unknown keys are rejected by each controller's schema).
import { type Objective, objectiveSchema, rewardForInvalidSchema } from './reward.js';

export const commonOptionFields = {
  /** What the reward is computed from (see reward.ts); absent, the schema's defaults. */
  objective: objectiveSchema.prefault({}),
  rewardForInvalid: rewardForInvalidSchema,
};

/** What every controller's parsed options hold besides its own. */
export interface CommonOptions {
  objective: Objective;
  rewardForInvalid: number;
}
