// What a running campaign reports as it goes (to the progress bar, the JSON log, the dashboard): each
// event with the campaign's statistics at that moment.
import type { TrainProgress } from '../trial/types.js';
import type { FinishReason } from './journal.js';
import type { CampaignStats } from './stats.js';

export type CampaignEvent =
  | { type: 'started' | 'resumed'; stats: CampaignStats; reattached: number }
  | { type: 'asked'; index: number; trialId: string; hash: string; stats: CampaignStats }
  | {
      type: 'told';
      index: number;
      trialId: string;
      status: string;
      reward: number;
      error?: string;
      stats: CampaignStats;
    }
  | { type: 'progress'; trialId: string; progress: TrainProgress; stats: CampaignStats }
  /** Successive halving: a trial continues at a higher rung, and that rung's result. */
  | { type: 'promoted'; index: number; trialId: string; rung: number; stats: CampaignStats }
  | {
      type: 'rung-told';
      index: number;
      trialId: string;
      rung: number;
      status: string;
      reward: number;
      error?: string;
      stats: CampaignStats;
    }
  /** A baseline (baselines.ts) was told: its name, status and AP. */
  | { type: 'baseline'; name: string; status: string; AP?: number; error?: string; stats: CampaignStats }
  | {
      type: 'finished';
      reason: FinishReason;
      stats: CampaignStats;
      /** Trials still running when the wall-time grace period ran out. */ cancelled?: number;
    };
