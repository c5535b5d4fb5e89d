// What a controller is told about a trial: its outcome, and the reward the campaign computed for it once
// (reward.ts, with the campaign's objective). The same reward goes into the journal's told event, and a
// resumed campaign tells the controller the journaled one, so the controller always learns what the
// journal says.
import { computeReward, type Reward } from '../../controllers/reward.js';
import type { TrialOutcome, TrialResult } from '../trial/types.js';
import type { ResolvedCampaign } from './config.js';

/** The outcome a controller is told for a result (or for a journaled told event). */
export function outcomeOf(r: {
  status: TrialResult['status'];
  metrics?: TrialResult['metrics'];
  error?: string;
}): TrialOutcome {
  if (r.status === 'complete' && r.metrics) return { status: 'complete', metrics: r.metrics };
  if (r.status === 'complete') return { status: 'failed', error: 'complete without metrics' };
  return { status: r.status, error: r.error ?? r.status };
}

/** The campaign's reward for an outcome. */
export function rewardOf(outcome: TrialOutcome, objective: ResolvedCampaign['objective']): Reward {
  return computeReward(outcome, objective, objective.rewardForInvalid);
}

/**
 * The reward a resumed campaign tells for a journaled trial: the journaled number (what the controller
 * was told before), and whether it is the objective's reward rather than rewardForInvalid, which the
 * journal does not record and which follows from the outcome. A journal without a usable number (edited
 * by hand) gets the reward computed again.
 */
export function journaledReward(
  outcome: TrialOutcome,
  journaled: unknown,
  objective: ResolvedCampaign['objective'],
): Reward {
  const computed = rewardOf(outcome, objective);
  return typeof journaled === 'number' && Number.isFinite(journaled)
    ? { reward: journaled, valid: computed.valid }
    : computed;
}
