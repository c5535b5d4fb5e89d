// What the campaign knows about each trial (journal-state.ts folds the journal into these records), and
// the campaign's one ranking of them.
import type { PyramidGraph } from '../graph/types.js';
import type { TrialMetrics, TrialStatus } from '../trial/types.js';

export interface TrialRecord {
  index: number;
  trialId: string;
  decisions: number[];
  hash: string;
  graph?: PyramidGraph;
  status?: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
  reward?: number;
  wallSeconds?: number;
  worker?: string;
  /** Successive halving: the highest rung the trial completed (its metrics and reward are that rung's). */
  rung?: number;
}

/** What ranking needs of a trial. */
export interface Rankable {
  index: number;
  reward: number;
}

/**
 * The campaign's one definition of "best": its objective's reward, highest first; of equal rewards the
 * earlier trial (lower index), so the order is total and a resumed or re-read campaign names the same
 * best. The search summary, status, export, best.graph.json, the progress bar and the dashboard all rank
 * through this (the page's copy, src/dashboard/public/best.js, is tested against it). AP alone never
 * decides: with a MACs target the best-reward trial need not have the highest AP.
 */
export function compareByObjective(a: Rankable, b: Rankable): number {
  return b.reward - a.reward || a.index - b.index;
}

/** True when `r` ranks ahead of `best` (or there is no best yet): for running tallies. */
export function beats(r: Rankable, best: Rankable | undefined): boolean {
  return best === undefined || compareByObjective(r, best) < 0;
}

/** Whether a trial can be best: complete, with metrics and a finite reward. */
export function isRankable(r: TrialRecord): boolean {
  return r.status === 'complete' && !!r.metrics && typeof r.reward === 'number' && Number.isFinite(r.reward);
}

/** Complete trials, best first (by compareByObjective). */
export function ranked(records: TrialRecord[]): TrialRecord[] {
  return records.filter(isRankable).sort((a, b) => compareByObjective(a as Rankable, b as Rankable));
}

/** The best complete trial, or undefined when none has completed. */
export function bestTrial(records: TrialRecord[]): TrialRecord | undefined {
  return ranked(records)[0];
}

/**
 * How "best" is written wherever it is shown: its reward first (what it is best by), then its AP,
 * labelled as that trial's AP, e.g. "best (reward 0.4100): AP 0.3120".
 */
export function bestText(best: { reward?: number; AP?: number } | undefined): string {
  if (best?.reward === undefined) return 'best: none yet';
  return `best (reward ${best.reward.toFixed(4)}): AP ${best.AP === undefined ? '-' : best.AP.toFixed(4)}`;
}
