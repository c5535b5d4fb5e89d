// Where a running campaign stands, for its events and its summary: the journal fold's counts and best
// (journal-state.ts, so records.ts's ranking), plus a clock of active seconds that a resumed campaign
// continues from its journal, and the ETA (the same estimate the dashboard shows).
import { completedBaselines } from './baselines.js';
import type { ResolvedCampaign } from './config.js';
import type { JournalState } from './journal-state.js';
import type { LedgerView } from './ledger.js';

/** The journal fold's trial counts and its best trial, as the summary, the events and the dashboard show them. */
export interface TrialTally {
  asked: number;
  told: number;
  running: number;
  complete: number;
  failed: number;
  invalid: number;
  /** The best trial so far (records.ts's ranking: highest reward, then lowest index), its reward, and its AP. */
  bestTrial?: string;
  bestReward?: number;
  bestAP?: number;
}

export interface CampaignStats extends TrialTally {
  /** Trials the budget allows (undefined: wall-time budget only). */
  total?: number;
  elapsed: number;
  /** Seconds left by the trial budget at the pace so far or by the wall budget, the sooner; undefined when unknown; 0 once finished. */
  eta?: number;
  /** The cost ledger (ledger.ts): training steps and CPU-seconds spent, in total and per rung. */
  ledger?: LedgerView;
  /** The baselines that completed (baselines.ts), with their AP; absent when the campaign has none. */
  baselines?: { name: string; AP: number }[];
}

export class StatsTracker {
  private readonly t0 = performance.now();
  private base = 0;

  constructor(
    private readonly state: JournalState,
    private readonly budget: ResolvedCampaign['budget'],
  ) {}

  /**
   * Continue the active-seconds count of a resumed journal (its last told event's). Time between that
   * event and the crash is not counted: the wall budget counts active time only.
   */
  continueFrom(elapsed: number): void {
    this.base = elapsed;
  }

  /** Active campaign seconds: this run's since it started, plus those of the runs before it. */
  elapsed(): number {
    return this.base + (performance.now() - this.t0) / 1000;
  }

  stats(): CampaignStats {
    const s = this.state;
    const best = s.best;
    const elapsed = this.elapsed();
    const eta = s.eta(this.budget, elapsed);
    return {
      asked: s.asked,
      told: s.told,
      total: this.budget.trials,
      running: s.running,
      ...s.counts,
      bestTrial: best?.trialId,
      bestReward: best?.reward,
      bestAP: best?.metrics?.AP,
      elapsed,
      ...(eta !== undefined ? { eta } : {}),
      ledger: s.ledger.view(),
      ...(s.baselines.size
        ? { baselines: completedBaselines(s.baselines.values()).map((b) => ({ name: b.name, AP: b.metrics.AP })) }
        : {}),
    };
  }
}
