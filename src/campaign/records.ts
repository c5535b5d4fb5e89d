// What the campaign knows about each trial, rebuilt from the journal on resume and by `status`/`export`.
import type { TrialMetrics, TrialStatus } from '../../controllers/types.js';
import type { PyramidGraph } from '../graph/types.js';
import type { JournalEvent } from './journal.js';

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
}

/** Trial records in index order from journal events (asked, then told). */
export function recordsFromJournal(events: JournalEvent[]): TrialRecord[] {
  const byIndex = new Map<number, TrialRecord>();
  for (const ev of events) {
    if (ev.type === 'asked') {
      byIndex.set(ev.index, { index: ev.index, trialId: ev.trialId, decisions: ev.decisions, hash: ev.hash });
    } else if (ev.type === 'told') {
      const r = byIndex.get(ev.index);
      if (!r) continue;
      r.status = ev.status;
      r.metrics = ev.metrics;
      r.error = ev.error;
      r.reward = ev.reward;
      r.wallSeconds = ev.wallSeconds;
      r.worker = ev.worker;
    }
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** Complete trials, best reward first (ties: lower index first, so the order is stable). */
export function ranked(records: TrialRecord[]): TrialRecord[] {
  return records
    .filter((r) => r.status === 'complete' && r.metrics && typeof r.reward === 'number')
    .sort((a, b) => b.reward! - a.reward! || a.index - b.index);
}
