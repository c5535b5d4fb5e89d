// Best-so-far curves of a campaign, from its journal: after each result, how many trials have been told,
// how many CPU-seconds the campaign has spent (the cost ledger's sum: every job, every rung), and the best
// held-out AP among full-budget results. With successive halving a trial's low rungs are not full-budget
// results (150 steps say less than 600), so only a result at the top rung counts as the trial's AP; a
// campaign without a scheduler has one rung, the full proxy task. Then: the point where a curve first
// reaches a target AP, and the median of such counts over seeds.
import type { JournalEvent } from '../campaign/journal.js';

export interface CurvePoint {
  /** Trials told so far (each trial counts once, when its first result is journaled). */
  trials: number;
  /** CPU-seconds of every job journaled so far. */
  cpuSeconds: number;
  /** Best full-budget held-out AP so far (undefined before the first). */
  best: number | undefined;
}

function finitePositive(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

/** The campaign's curve: one point per told or rung-told event, in journal order. */
export function bestSoFarCurve(events: readonly JournalEvent[]): CurvePoint[] {
  const started = events.find((e) => e.type === 'campaign-started');
  const config = started?.type === 'campaign-started' ? (started.config as { scheduler?: { maxSteps?: number } }) : {};
  // Rungs run minSteps, ×eta, … up to maxSteps: the top rung's results are those that reached maxSteps.
  const fullSteps = config.scheduler?.maxSteps;
  const points: CurvePoint[] = [];
  let trials = 0;
  let cpu = 0;
  let best: number | undefined;
  const consider = (status: unknown, ap: unknown, full: boolean) => {
    if (full && status === 'complete' && typeof ap === 'number' && Number.isFinite(ap))
      best = best === undefined ? ap : Math.max(best, ap);
  };
  for (const ev of events) {
    if (ev.type === 'told') {
      trials++;
      cpu += finitePositive(ev.cpuSeconds);
      const steps = ev.steps ?? ev.metrics?.steps;
      consider(ev.status, ev.metrics?.AP, fullSteps === undefined || steps === fullSteps);
    } else if (ev.type === 'rung-told') {
      cpu += finitePositive(ev.cpuSeconds);
      consider(ev.status, ev.metrics?.AP, fullSteps === undefined || ev.steps === fullSteps);
    } else continue;
    points.push({ trials, cpuSeconds: cpu, best });
  }
  return points;
}

/** The best after the first `t` trials: the last point with at most `t` trials told. */
export function bestAtTrials(curve: readonly CurvePoint[], t: number): number | undefined {
  let best: number | undefined;
  for (const p of curve) {
    if (p.trials > t) break;
    best = p.best;
  }
  return best;
}

/** The best once `cpuSeconds` were spent: the last point at or under that cost. */
export function bestAtCpu(curve: readonly CurvePoint[], cpuSeconds: number): number | undefined {
  let best: number | undefined;
  for (const p of curve) {
    if (p.cpuSeconds > cpuSeconds) break;
    best = p.best;
  }
  return best;
}

/**
 * The trials a campaign told before its best-so-far first reached `target` (≥); undefined when it never
 * did. A result that arrives after later trials were told (a promotion) counts at the trials told by then.
 */
export function trialsToReach(curve: readonly CurvePoint[], target: number): number | undefined {
  for (const p of curve) if (p.best !== undefined && p.best >= target) return p.trials;
  return undefined;
}

/** The median with "never" (undefined) ranked above every number; undefined when the median is "never". */
export function medianOrNever(values: ReadonlyArray<number | undefined>): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const n = sorted.length;
  const m = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return Number.isFinite(m) ? m : undefined;
}

/** Median, min and max of the defined values (undefined when none is). */
export function band(
  values: ReadonlyArray<number | undefined>,
): { median: number; min: number; max: number } | undefined {
  const xs = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const n = xs.length;
  const median = n % 2 ? xs[(n - 1) / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
  return { median, min: xs[0], max: xs[n - 1] };
}
