// What the journal records of a campaign's inputs besides its trials: the warm-start seeds (seed-graphs.ts;
// in the campaign-started event) and the baselines' events (baselines.ts), and their fold into records. A leaf module (types and a
// pure fold), so the journal and its fold can name these events without importing what produces them.
import type { PyramidGraph } from '../graph/types.js';
import type { TrialMetrics, TrialStatus } from '../trial/types.js';

export interface SeedGraph {
  /** As the campaign file gives it. */
  spec: string;
  /** The space's decision sequence for it. */
  decisions: number[];
  /** graphHash of the decoded point (what the trial's asked event will carry). */
  hash: string;
}

export interface BaselineAskedEvent {
  type: 'baseline-asked';
  /** Short name shown everywhere (`fpn`, or a file's name without `.graph.json`). */
  name: string;
  spec: string;
  index: number;
  trialId: string;
  hash: string;
  /** The projected graph as trained (a resumed campaign needs no file). */
  graph: PyramidGraph;
}

export interface BaselineToldEvent {
  type: 'baseline-told';
  name: string;
  index: number;
  trialId: string;
  status: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
  wallSeconds?: number;
  worker?: string;
  /** Training steps the job ran and the CPU seconds its process used: the ledger's baselines figure. */
  steps?: number;
  cpuSeconds?: number;
}

export type BaselineEvent = BaselineAskedEvent | BaselineToldEvent;

/** A baseline as the campaign knows it (journal-state.ts folds the events into these). */
export interface BaselineRecord {
  name: string;
  spec: string;
  index: number;
  trialId: string;
  hash: string;
  graph?: PyramidGraph;
  status?: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
  wallSeconds?: number;
  worker?: string;
}

/** Folds one baseline event into `baselines` (by name); lenient like the rest of the fold. */
export function applyBaselineEvent(baselines: Map<string, BaselineRecord>, ev: BaselineEvent): void {
  if (typeof ev.name !== 'string') return;
  if (ev.type === 'baseline-asked') {
    if (baselines.get(ev.name)?.status !== undefined) return; // never downgrade a result
    baselines.set(ev.name, {
      name: ev.name,
      spec: ev.spec,
      index: ev.index,
      trialId: ev.trialId,
      hash: ev.hash,
      graph: ev.graph,
    });
    return;
  }
  const r = baselines.get(ev.name) ?? { name: ev.name, spec: ev.name, index: ev.index, trialId: ev.trialId, hash: '' };
  Object.assign(r, {
    status: ev.status,
    metrics: ev.metrics,
    error: ev.error,
    wallSeconds: ev.wallSeconds,
    worker: ev.worker,
  });
  baselines.set(ev.name, r);
}
