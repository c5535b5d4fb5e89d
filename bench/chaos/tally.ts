// What the chaos benchmark counts after the run: from the campaign journal, trials asked and never told
// (lost) and trials told more than once; from the fake trainer's start log, trials trained more than once
// (recomputed); and whether the journal's proposals and results equal a fault-free run's.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type JournalEvent, readJournal } from '../../src/campaign/journal.js';

export interface TrialView {
  index: number;
  hash?: string;
  decisions?: number[];
  status?: string;
  AP?: number;
  metrics?: unknown;
  error?: string;
  reward?: number;
}

/** Per index: the first asked event's proposal and the first told event's result. */
export function trialsOf(events: JournalEvent[]): Map<number, TrialView> {
  const out = new Map<number, TrialView>();
  for (const e of events) {
    if (e.type === 'asked' && !out.get(e.index)?.hash)
      out.set(e.index, { ...out.get(e.index), index: e.index, hash: e.hash, decisions: e.decisions });
    if (e.type === 'told' && out.get(e.index)?.status === undefined) {
      out.set(e.index, {
        ...out.get(e.index),
        index: e.index,
        status: e.status,
        AP: e.metrics?.AP,
        metrics: e.metrics,
        error: e.error,
        reward: e.reward,
      });
    }
  }
  return out;
}

export interface JournalTally {
  asked: number;
  told: number;
  finished: boolean;
  /** Indices asked and never told. */
  lost: number[];
  /** Indices with more than one told event, and indices asked more than once. */
  toldTwice: number[];
  askedTwice: number[];
  resumes: number;
}

export function tallyJournal(path: string): JournalTally {
  const events = existsSync(path) ? readJournal(path) : [];
  const told = new Map<number, number>();
  const asked = new Map<number, number>();
  for (const e of events) {
    if (e.type === 'told') told.set(e.index, (told.get(e.index) ?? 0) + 1);
    if (e.type === 'asked') asked.set(e.index, (asked.get(e.index) ?? 0) + 1);
  }
  return {
    asked: asked.size,
    told: told.size,
    finished: events.some((e) => e.type === 'campaign-finished'),
    lost: [...asked.keys()].filter((i) => !told.has(i)).sort((a, b) => a - b),
    toldTwice: [...told]
      .filter(([, n]) => n > 1)
      .map(([i]) => i)
      .sort((a, b) => a - b),
    askedTwice: [...asked]
      .filter(([, n]) => n > 1)
      .map(([i]) => i)
      .sort((a, b) => a - b),
    resumes: events.filter((e) => e.type === 'campaign-resumed').length,
  };
}

/** Trainings started per trial id: the fake trainer appends one line per start to `<logDir>/<trialId>.starts`. */
export function startsPerTrial(logDir: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(logDir)) return out;
  for (const f of readdirSync(logDir)) {
    if (f.endsWith('.starts'))
      out.set(f.slice(0, -'.starts'.length), readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean).length);
  }
  return out;
}

export interface Difference {
  index: number;
  what: string;
}

/** Where the run's journal differs from the reference's: proposal (hash, decisions), status, metrics, reward. */
export function compareWithReference(run: Map<number, TrialView>, ref: Map<number, TrialView>): Difference[] {
  const out: Difference[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const index of [...new Set([...run.keys(), ...ref.keys()])].sort((a, b) => a - b)) {
    const a = run.get(index);
    const b = ref.get(index);
    if (!a) out.push({ index, what: 'not in this run' });
    else if (!b) out.push({ index, what: 'not in the reference' });
    else if (a.hash !== b.hash || !same(a.decisions, b.decisions))
      out.push({ index, what: `proposal ${a.hash?.slice(0, 12)} vs ${b.hash?.slice(0, 12)}` });
    else if (a.status !== b.status)
      out.push({ index, what: `status ${a.status}${a.error ? ` (${a.error})` : ''} vs ${b.status}` });
    else if (!same(a.metrics, b.metrics) || a.error !== b.error || a.reward !== b.reward)
      out.push({ index, what: `result AP ${a.AP} vs ${b.AP}` });
  }
  return out;
}
