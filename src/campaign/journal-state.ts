// The one fold of a campaign journal: events in journal order → every trial's record, the counts, the
// best trial (records.ts's ranking), the active seconds at the last told event, and where the campaign
// stands (started, resumed, finished). The running campaign applies each event as it journals it, resume
// replays the journal's events through it, `status`/`export` read records from it, and the dashboard
// wraps it; so they all say the same thing about the same journal, ETA included.
//
// It is lenient: journals from the dashboard's tail may be hand-edited or have corrupt lines skipped, so
// a told trial whose asked line is missing still shows up, a repeated ask never undoes a result, and odd
// values are counted rather than trusted. Readers that need a well-formed journal check it first
// (dir.ts checkJournalSequence).
import type { TrialMetrics } from '../trial/types.js';
import { applyBaselineEvent, type BaselineRecord, type SeedGraph } from './input-events.js';
import type { CampaignStartedEvent, JournalEvent, ToldEvent } from './journal.js';
import { CostLedger } from './ledger.js';
import { beats, bestTrial, isRankable, type Rankable, type TrialRecord } from './records.js';
import { RungFold, type RungToldEvent } from './scheduler/rung-events.js';

export type TrialState = 'complete' | 'failed' | 'invalid';

/** A told event's status as counted: anything that is not complete or invalid counts as failed. */
export function countedStatus(status: unknown): TrialState {
  return status === 'complete' || status === 'invalid' ? status : 'failed';
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Steps a result's metrics say were trained, for events journaled before they carried `steps`. */
function stepsOfMetrics(m: TrialMetrics | undefined): number {
  return m ? Number(m.steps) * Number(m.runs ?? 1) : 0;
}

/**
 * Seconds left: by the trial budget at the pace so far (campaign seconds per told trial, which already
 * includes the parallelism), and by the wall budget; the sooner of the two. Undefined when neither says.
 */
export function eta(
  budget: { trials?: number; wallSeconds?: number },
  told: number,
  elapsed: number,
): number | undefined {
  const left: number[] = [];
  if (budget.trials !== undefined && told > 0 && elapsed > 0)
    left.push(Math.max(0, budget.trials - told) * (elapsed / told));
  if (budget.wallSeconds !== undefined) left.push(Math.max(0, budget.wallSeconds - elapsed));
  return left.length ? Math.min(...left) : undefined;
}

export class JournalState {
  /** Every asked trial by index, with its result once told. */
  readonly records = new Map<number, TrialRecord>();
  readonly counts: Record<TrialState, number> = { complete: 0, failed: 0, invalid: 0 };
  /** Active campaign seconds at the last told event (the wall budget counts active time only). */
  elapsed = 0;
  started: CampaignStartedEvent | undefined;
  resumes = 0;
  /** Set by campaign-finished, cleared by a later campaign-resumed. */
  finished: { reason: string; time: string } | undefined;
  /** The campaign's baselines by name (input-events.ts), asked and told; never trials. */
  readonly baselines = new Map<string, BaselineRecord>();
  /** The warm-start seeds the controller proposed first. */
  seeds: SeedGraph[] = [];
  /** Steps and CPU-seconds spent, in total and per rung (ledger.ts). */
  readonly ledger = new CostLedger();
  /** Successive halving: jobs in dispatch order, results per rung, promotions (scheduler/rung-events.ts). */
  readonly rungs = new RungFold();
  private bestRecord: TrialRecord | undefined;
  /** A trial was told twice (only in a malformed journal): the running best must be recomputed. */
  private bestStale = false;

  get asked(): number {
    return this.records.size;
  }

  get told(): number {
    return this.counts.complete + this.counts.failed + this.counts.invalid;
  }

  /** Jobs in flight: trials asked and not told, and promotions not yet told. */
  get running(): number {
    return this.asked - this.told + this.rungs.promotionsInFlight;
  }

  /** The best told trial by records.ts's ranking, or undefined when none has completed. */
  get best(): TrialRecord | undefined {
    if (this.bestStale) {
      this.bestRecord = bestTrial([...this.records.values()]);
      this.bestStale = false;
    }
    return this.bestRecord;
  }

  /** Seconds left by the budget and the pace (at `elapsed`, the last told event's by default); 0 once finished. */
  eta(budget: { trials?: number; wallSeconds?: number }, elapsed = this.elapsed): number | undefined {
    return this.finished ? 0 : eta(budget, this.told, elapsed);
  }

  /** Trials in index order. */
  sortedRecords(): TrialRecord[] {
    return [...this.records.values()].sort((a, b) => a.index - b.index);
  }

  /** Applies one event; returns the trial record it changed, if any. */
  apply(ev: JournalEvent): TrialRecord | undefined {
    switch (ev.type) {
      case 'campaign-started':
        this.started = ev;
        this.seeds = Array.isArray(ev.seeds) ? ev.seeds : [];
        return undefined;
      case 'campaign-resumed':
        this.resumes++;
        this.finished = undefined;
        return undefined;
      case 'campaign-finished':
        this.finished = { reason: String(ev.reason), time: ev.time };
        return undefined;
      case 'asked':
        return this.onAsked(ev);
      case 'told':
        return this.onTold(ev);
      case 'promoted':
        this.rungs.onPromoted(ev);
        return undefined;
      case 'rung-told':
        return this.onRungTold(ev);
      case 'baseline-asked':
        applyBaselineEvent(this.baselines, ev);
        return undefined;
      case 'baseline-told':
        applyBaselineEvent(this.baselines, ev);
        this.ledger.addBaseline(ev.steps ?? stepsOfMetrics(ev.metrics), ev.cpuSeconds);
        return undefined;

      default:
        return undefined; // controller snapshots: nothing to record
    }
  }

  applyAll(events: Iterable<JournalEvent>): this {
    for (const ev of events) this.apply(ev);
    return this;
  }

  private onAsked(ev: Extract<JournalEvent, { type: 'asked' }>): TrialRecord | undefined {
    if (!Number.isInteger(ev.index)) return undefined;
    // Never downgrade a result (a campaign journals each ask once; a hand-edited journal might not).
    if (this.records.get(ev.index)?.status !== undefined) return undefined;
    const r: TrialRecord = { index: ev.index, trialId: ev.trialId, decisions: ev.decisions, hash: ev.hash };
    this.records.set(ev.index, r);
    this.rungs.onAsked(ev.index);
    return r;
  }

  private onTold(ev: ToldEvent): TrialRecord | undefined {
    if (!Number.isInteger(ev.index)) return undefined;
    let r = this.records.get(ev.index);
    if (!r) {
      // Its asked line is missing (skipped as corrupt): show the result anyway.
      r = { index: ev.index, trialId: ev.trialId, decisions: [], hash: '' };
      this.records.set(ev.index, r);
    }
    if (r.status !== undefined) {
      this.counts[countedStatus(r.status)]--;
      this.bestStale = true;
    }
    Object.assign(r, {
      status: ev.status,
      metrics: ev.metrics,
      error: ev.error,
      reward: ev.reward,
      wallSeconds: ev.wallSeconds,
      worker: ev.worker,
    });
    this.counts[countedStatus(ev.status)]++;
    if (!this.bestStale && isRankable(r) && beats(r as Rankable, this.bestRecord as Rankable | undefined))
      this.bestRecord = r;
    this.elapsed = finite(ev.elapsed) ?? this.elapsed;
    const steps = ev.steps ?? stepsOfMetrics(ev.metrics);
    this.ledger.add(ev.rung, steps, ev.cpuSeconds);
    this.rungs.onTold({ ...ev, steps });
    if (ev.rung !== undefined) r.rung = ev.rung;
    return r;
  }

  /**
   * A promotion's result. A complete one becomes the trial's result (metrics, reward, rung) in every view;
   * a failed one leaves the rung below as the trial's result. The controller is not told (it was told rung 0).
   */
  private onRungTold(ev: RungToldEvent): TrialRecord | undefined {
    this.rungs.onRungTold(ev);
    this.ledger.add(ev.rung, ev.stepsTrained, ev.cpuSeconds);
    this.elapsed = finite(ev.elapsed) ?? this.elapsed;
    const r = this.records.get(ev.index);
    if (!r || ev.status !== 'complete') return r;
    Object.assign(r, {
      metrics: ev.metrics,
      reward: ev.reward,
      rung: ev.rung,
      wallSeconds: ev.wallSeconds,
      worker: ev.worker,
    });
    this.bestStale = true;
    return r;
  }
}

/** The fold of `events`. */
export function foldJournal(events: Iterable<JournalEvent>): JournalState {
  return new JournalState().applyAll(events);
}

/** Trial records in index order from journal events (asked, then told). */
export function recordsFromJournal(events: JournalEvent[]): TrialRecord[] {
  return foldJournal(events).sortedRecords();
}
