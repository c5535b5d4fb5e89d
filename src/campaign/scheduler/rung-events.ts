// The journal's successive-halving events and their fold. A trial's rung-0 job is its `asked` event and its
// result the `told` event (the controller is told it, in ask order, as in every campaign); a promotion is a
// `promoted` event, journaled before its job is queued, and its result a `rung-told` event. Jobs are
// processed in the order they were dispatched (asked or promoted), whatever order their results arrive in,
// so the journal, and every promotion, depends on the seed and the results only, and a resume replays it.
import type { TrialMetrics, TrialStatus } from '../../trial/types.js';
import { AshaRungs } from './asha.js';

export interface PromotedEvent {
  type: 'promoted';
  index: number;
  trialId: string;
  /** The rung it now trains (1 or more). */
  rung: number;
  /** The step it trains to. */
  steps: number;
}

export interface RungToldEvent {
  type: 'rung-told';
  index: number;
  trialId: string;
  rung: number;
  /** The step it reached (its metrics are the snapshot of the full run at this step). */
  steps: number;
  /** Steps this job trained (from the rung below). */
  stepsTrained: number;
  status: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
  reward: number;
  wallSeconds?: number;
  cpuSeconds?: number;
  worker?: string;
  elapsed: number;
}

export type RungEvent = PromotedEvent | RungToldEvent;

/** A trial's result at one rung. */
export interface RungOutcome {
  rung: number;
  steps: number;
  status: TrialStatus;
  reward: number;
}

/** A job of the campaign: a trial at a rung (rung 0: its asked job). */
export interface DispatchedJob {
  index: number;
  rung: number;
}

/** Where a successive-halving campaign stands: jobs in dispatch order, results per trial and rung. */
export class RungFold {
  /** Every job in dispatch order (asked and promoted events). */
  readonly dispatches: DispatchedJob[] = [];
  /** Jobs processed (told and rung-told events); they are processed in dispatch order. */
  processed = 0;
  /** Promotions journaled, and those told. */
  promotions = 0;
  promotionsTold = 0;
  /** Results by trial, in rung order. */
  readonly outcomes = new Map<number, RungOutcome[]>();
  /** The highest rung each promoted trial was sent to. */
  readonly promotedTo = new Map<number, number>();
  /** The rung of each trial's job in flight (a trial has at most one: it is promoted only once told). */
  readonly inFlight = new Map<number, number>();

  get promotionsInFlight(): number {
    return this.promotions - this.promotionsTold;
  }

  /** The job whose result is processed next, if any is in flight. */
  next(): DispatchedJob | undefined {
    return this.dispatches[this.processed];
  }

  /** Jobs dispatched and not yet processed. */
  pending(): DispatchedJob[] {
    return this.dispatches.slice(this.processed);
  }

  onAsked(index: number): void {
    this.dispatches.push({ index, rung: 0 });
    this.inFlight.set(index, 0);
  }

  onTold(ev: { index: number; status: TrialStatus; reward: number; steps?: number }): void {
    this.processed++;
    this.inFlight.delete(ev.index);
    this.outcomes.set(ev.index, [{ rung: 0, steps: ev.steps ?? 0, status: ev.status, reward: ev.reward }]);
  }

  onPromoted(ev: PromotedEvent): void {
    this.dispatches.push({ index: ev.index, rung: ev.rung });
    this.promotions++;
    this.promotedTo.set(ev.index, ev.rung);
    this.inFlight.set(ev.index, ev.rung);
  }

  onRungTold(ev: RungToldEvent): void {
    this.processed++;
    this.promotionsTold++;
    this.inFlight.delete(ev.index);
    const list = this.outcomes.get(ev.index) ?? [];
    list.push({ rung: ev.rung, steps: ev.steps, status: ev.status, reward: ev.reward });
    this.outcomes.set(ev.index, list);
  }

  /** The promotion rule's view of these results (asha.ts), for a schedule of `steps` and `eta`. */
  rungs(steps: readonly number[], eta: number): AshaRungs {
    const rungs = new AshaRungs(steps, eta);
    for (const [index, list] of [...this.outcomes].sort((a, b) => a[0] - b[0]))
      for (const o of list)
        if (o.rung < steps.length) rungs.record(o.rung, { index, reward: o.reward, complete: o.status === 'complete' });
    for (const [index, to] of this.promotedTo) for (let k = 0; k < to; k++) rungs.markPromoted(index, k);
    return rungs;
  }
}
