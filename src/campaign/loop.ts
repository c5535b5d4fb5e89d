// The campaign loop: ask → enqueue (up to `concurrency` in flight) → on each result tell the controller →
// journal → stop at the budget.
//
// Determinism: results arrive in any order, but the controller is told in ask order (a reorder buffer),
// and proposal i+concurrency is asked right after trial i is told. So the sequence of asks and tells,
// and therefore every proposal, depends only on the seed and the results, never on timing; a resumed
// campaign replays the journal into the controller and continues with exactly the proposals an
// uninterrupted run would have made. The price is head-of-line blocking: a slow trial holds back the
// next ask while faster ones wait in the buffer.
//
// The wall budget stops asking; trials in flight then get the grace period to finish, after which the
// loop ends without them (the caller cancels them; they stay asked-but-untold in the journal).
import type { Controller } from '../../controllers/types.js';
import { identityMismatch, jobKey, proxyHash } from '../trial/identity.js';
import type { TrialJob, TrialResult } from '../trial/types.js';
import type { ResolvedCampaign } from './config.js';
import { CampaignError } from './errors.js';
import type { CampaignEvent } from './events.js';
import type { FinishReason, JournalEvent, ToldEvent } from './journal.js';
import type { JournalState } from './journal-state.js';
import { outcomeOf, rewardOf } from './outcome.js';
import type { OutputWriter } from './output-writer.js';
import type { TrialQueue } from './queue/types.js';
import type { TrialRecord } from './records.js';
import type { AshaDispatch } from './scheduler/asha-dispatch.js';
import type { RungToldEvent } from './scheduler/rung-events.js';
import type { StatsTracker } from './stats.js';
import { campaignTrialJob } from './trial-job.js';

export function trialId(campaign: string, index: number): string {
  return `${campaign}-${index}`;
}

/** The index in a trial id (`<campaign>-<index>`), or -1. */
function indexOf(id: string): number {
  const m = /-(\d+)$/.exec(id);
  return m ? Number(m[1]) : -1;
}

export interface LoopParts {
  config: ResolvedCampaign;
  controller: Controller;
  queue: TrialQueue;
  /** Every trial of the campaign so far (resumed ones included), folded from the journal as it is written. */
  state: JournalState;
  stats: StatsTracker;
  output: OutputWriter;
  /** Appends an event to the journal (durably) and folds it into `state`; returns the trial record it changed. */
  record(ev: JournalEvent): TrialRecord | undefined;
  /** This run's id (run-id.ts): new for a fresh campaign, the journal's on resume. */
  runId: string;
  /** Asked+told events journaled since the last controller snapshot. */
  sinceSnapshot: number;
  onEvent?(ev: CampaignEvent): void;
  /** Successive halving (scheduler/): promotions, rung jobs and their checkpoints; absent without a scheduler. */
  asha?: AshaDispatch;
}

export class CampaignLoop {
  /** Results that arrived ahead of their turn, by job key (the trial id; with its rung for a promotion). */
  private readonly buffer = new Map<string, TrialResult>();
  private readonly proxyIdentity: string;
  private sinceSnapshot: number;
  /** The controller has no unseen proposal left. */
  private exhausted = false;
  private busy = false;
  private again = false;
  private finished = false;
  /** The wall budget and its grace period are both over: stop waiting for running trials. */
  private graceOver = false;
  private readonly done: Promise<FinishReason>;
  private resolveDone!: (reason: FinishReason) => void;
  private rejectDone!: (err: unknown) => void;

  /** Listens to the queue at once: results of re-attached trials may arrive before run(). */
  constructor(private readonly p: LoopParts) {
    this.proxyIdentity = proxyHash(p.config.proxy);
    this.sinceSnapshot = p.sinceSnapshot;
    this.done = new Promise<FinishReason>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    p.queue.onResult((result) => this.onResult(result));
    p.queue.onProgress((id, progress) =>
      p.onEvent?.({ type: 'progress', trialId: id, progress, stats: p.stats.stats() }),
    );
  }

  /**
   * The job that runs a trial (at `rung`, with successive halving; its checkpoint is read only when
   * `withCheckpoint`). The trial time limit travels in it: whoever runs it (the pool, a BullMQ worker) enforces it.
   */
  jobOf(r: TrialRecord, rung = 0, withCheckpoint = true): TrialJob {
    const { config, asha } = this.p;
    return {
      ...(asha ? { rung: asha.rungJob(r.trialId, rung, withCheckpoint) } : {}),
      ...campaignTrialJob(config, { runId: this.p.runId, proxyHash: this.proxyIdentity }, r),
    };
  }

  /** Runs until the budget is spent (or the space exhausted) and every trial is told, or the grace period is over. */
  async run(): Promise<FinishReason> {
    const { budget } = this.p.config;
    let wallTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    if (budget.wallSeconds !== undefined) {
      const grace = budget.graceSeconds ?? 0;
      wallTimer = setTimeout(
        () => {
          this.kick();
          graceTimer = setTimeout(() => {
            this.graceOver = true;
            this.kick();
          }, grace * 1000);
        },
        Math.max(0, (budget.wallSeconds - this.p.stats.elapsed()) * 1000) + 10,
      );
    }
    this.kick();
    try {
      return await this.done;
    } finally {
      if (wallTimer) clearTimeout(wallTimer);
      if (graceTimer) clearTimeout(graceTimer);
    }
  }

  /** Every job dispatched whose result is not journaled yet (to re-attach on resume, or cancel). */
  pendingJobs(withCheckpoint = true): TrialJob[] {
    const { state, asha } = this.p;
    if (asha) return state.rungs.pending().map((j) => this.jobOf(state.records.get(j.index)!, j.rung, withCheckpoint));
    return [...state.records.values()].filter((r) => !r.status).map((r) => this.jobOf(r));
  }

  /** The rung of the job of trial `index` whose result is awaited, or undefined when none is. */
  private awaitedRung(index: number): number | undefined {
    const { state, asha } = this.p;
    if (asha) return state.rungs.inFlight.get(index);
    return index >= state.told && index < state.asked ? 0 : undefined;
  }

  private onResult(result: TrialResult): void {
    const { state } = this.p;
    const index = indexOf(result.trialId);
    const rec = state.records.get(index);
    const rung = this.awaitedRung(index);
    // Each job is told once: late duplicates (a retried job finishing twice, a lower rung's result after
    // its promotion) are ignored.
    if (!rec || rec.trialId !== result.trialId || rung === undefined) return;
    if (this.p.asha && result.rung !== undefined && result.rung !== rung) return;
    const key = jobKey({ trialId: rec.trialId, rung });
    if (this.buffer.has(key)) return;
    // A result must be the answer to what this run asked (trial identity); one that is not (left in
    // Redis by another run, trained on another graph or proxy) is told as a failure, never as metrics.
    const mismatch = identityMismatch(
      { trialId: rec.trialId, runId: this.p.runId, graphHash: rec.hash, proxyHash: this.proxyIdentity },
      result,
    );
    if (mismatch)
      result = {
        trialId: rec.trialId,
        status: 'failed',
        error: `RESULT_MISMATCH: ${mismatch}`,
        wallSeconds: result.wallSeconds,
        ...(result.worker ? { worker: result.worker } : {}),
      };
    this.buffer.set(key, result);
    this.kick();
  }

  private wallExpired(): boolean {
    const { wallSeconds } = this.p.config.budget;
    return wallSeconds !== undefined && this.p.stats.elapsed() >= wallSeconds;
  }

  /** Training steps spent (journaled) and in flight: a steps budget stops dispatching once they reach it. */
  private stepsCommitted(): number {
    const { state, asha, config } = this.p;
    const inFlight = asha ? asha.stepsInFlight() : state.running * config.proxy.steps * config.proxy.runs;
    return state.ledger.steps + inFlight;
  }

  private stepsLeft(): boolean {
    const { steps } = this.p.config.budget;
    return steps === undefined || this.stepsCommitted() < steps;
  }

  private mayAskMore(): boolean {
    const { trials } = this.p.config.budget;
    return (
      !this.exhausted &&
      (trials === undefined || this.p.state.asked < trials) &&
      !this.wallExpired() &&
      this.stepsLeft()
    );
  }

  /** Dispatches the promotion the successive-halving rule allows now, if any (they go before new trials). */
  private async promoteNext(): Promise<boolean> {
    const { asha, state } = this.p;
    if (!asha || this.wallExpired() || !this.stepsLeft()) return false;
    const next = asha.nextPromotion();
    if (!next) return false;
    const r = state.records.get(next.index)!;
    this.p.record({
      type: 'promoted',
      index: r.index,
      trialId: r.trialId,
      rung: next.rung,
      steps: asha.steps[next.rung],
    });
    this.p.onEvent?.({
      type: 'promoted',
      index: r.index,
      trialId: r.trialId,
      rung: next.rung,
      stats: this.p.stats.stats(),
    });
    await this.p.queue.submit(this.jobOf(r, next.rung));
    return true;
  }

  /** Journals a promotion's result (the controller was told the trial's first rung; it is not told again). */
  private tellPromotion(r: TrialRecord, rung: number, result: TrialResult): void {
    const { config, asha } = this.p;
    const outcome = outcomeOf(result);
    const reward = rewardOf(outcome, config.objective);
    if (outcome.status === 'complete') asha!.save(r.trialId, rung, result.checkpoint);
    const ev: RungToldEvent = {
      type: 'rung-told',
      index: r.index,
      trialId: r.trialId,
      rung,
      steps: asha!.steps[rung],
      // What the trainer reports (more than the rung's share if it had to start over without a checkpoint).
      stepsTrained:
        typeof outcome.metrics?.stepsTrained === 'number' ? outcome.metrics.stepsTrained : asha!.jobSteps(rung),
      status: outcome.status,
      ...(outcome.metrics ? { metrics: outcome.metrics } : { error: outcome.error }),
      reward: reward.reward,
      wallSeconds: result.wallSeconds,
      ...(result.cpuSeconds !== undefined ? { cpuSeconds: result.cpuSeconds } : {}),
      ...(result.worker ? { worker: result.worker } : {}),
      elapsed: this.p.stats.elapsed(),
    };
    this.p.record(ev);
    asha!.drop(r.trialId, rung - 1);
    this.p.queue.forget?.(this.jobOf(r, rung, false));
    this.p.output.told(r);
    this.p.onEvent?.({
      type: 'rung-told',
      index: r.index,
      trialId: r.trialId,
      rung,
      status: outcome.status,
      reward: reward.reward,
      ...(outcome.error ? { error: outcome.error } : {}),
      stats: this.p.stats.stats(),
    });
  }

  private maybeSnapshot(): void {
    if (++this.sinceSnapshot >= this.p.config.snapshotEvery) {
      const { state, controller } = this.p;
      this.p.record({ type: 'controller-snapshot', asked: state.asked, told: state.told, state: controller.state() });
      this.sinceSnapshot = 0;
    }
  }

  /** Tells exactly one buffered result (the next in dispatch order: ask order without a scheduler), if it is here. */
  private async tellNext(): Promise<boolean> {
    const { state, config, controller, asha } = this.p;
    const next = asha ? state.rungs.next() : state.told < state.asked ? { index: state.told, rung: 0 } : undefined;
    if (!next) return false;
    const r = state.records.get(next.index)!;
    const key = jobKey({ trialId: r.trialId, rung: next.rung });
    const result = this.buffer.get(key);
    if (!result) return false;
    this.buffer.delete(key);
    if (next.rung > 0) {
      this.tellPromotion(r, next.rung, result);
      return true;
    }
    const outcome = outcomeOf(result);
    const reward = rewardOf(outcome, config.objective);
    if (asha && outcome.status === 'complete') asha.save(r.trialId, 0, result.checkpoint);
    await controller.tell(r.index, outcome, reward);
    const ev: ToldEvent = {
      type: 'told',
      index: r.index,
      trialId: r.trialId,
      status: outcome.status,
      ...(outcome.metrics ? { metrics: outcome.metrics } : { error: outcome.error }),
      reward: reward.reward,
      wallSeconds: result.wallSeconds,
      ...(result.worker ? { worker: result.worker } : {}),
      elapsed: this.p.stats.elapsed(),
      steps: asha ? asha.jobSteps(0) : config.proxy.steps * config.proxy.runs,
      ...(result.cpuSeconds !== undefined ? { cpuSeconds: result.cpuSeconds } : {}),
      ...(asha ? { rung: 0 } : {}),
    };
    this.p.record(ev);
    this.p.queue.forget?.(this.jobOf(r, 0, false));
    this.p.output.told(r);
    this.maybeSnapshot();
    this.p.onEvent?.({
      type: 'told',
      index: r.index,
      trialId: r.trialId,
      status: r.status!,
      reward: reward.reward,
      error: r.error,
      stats: this.p.stats.stats(),
    });
    return true;
  }

  private async askMore(): Promise<void> {
    const { state, config, controller } = this.p;
    while (state.running < config.concurrency) {
      if (await this.promoteNext()) continue;
      if (!this.mayAskMore()) break;
      let p;
      try {
        p = await controller.ask();
      } catch (err) {
        if ((err as { code?: string }).code === 'SPACE_EXHAUSTED') {
          this.exhausted = true;
          break;
        }
        throw err;
      }
      if (p.index !== state.asked)
        throw new CampaignError('BAD_JOURNAL', `controller returned proposal #${p.index}, expected #${state.asked}`);
      const r = this.p.record({
        type: 'asked',
        index: p.index,
        trialId: trialId(config.name, p.index),
        decisions: p.decisions,
        hash: p.hash,
      })!;
      r.graph = p.graph;
      this.maybeSnapshot();
      this.p.onEvent?.({
        type: 'asked',
        index: r.index,
        trialId: r.trialId,
        hash: r.hash,
        stats: this.p.stats.stats(),
      });
      await this.p.queue.submit(this.jobOf(r));
    }
  }

  private async step(): Promise<void> {
    const { state, config } = this.p;
    do {
      this.again = false;
      // Ask what the last tell allows before telling the next one: the interleaving of asks and tells
      // (and so the controller's view) is then the same whatever order results arrived in.
      do await this.askMore();
      while (await this.tellNext());
      this.p.output.flush(false);
      // Nothing in flight and nothing more to dispatch (askMore would have promoted what the rule allows).
      if (!this.finished && state.running === 0 && !this.mayAskMore()) {
        this.finished = true;
        this.p.asha?.dropAll();
        this.resolveDone(
          this.exhausted
            ? 'exhausted'
            : config.budget.trials !== undefined && state.asked >= config.budget.trials
              ? 'trials'
              : !this.stepsLeft()
                ? 'steps'
                : 'wallSeconds',
        );
      }
      if (!this.finished && this.graceOver) {
        // Trials still running are cancelled by the caller and stay asked-but-untold in the journal.
        this.finished = true;
        this.resolveDone('wallSeconds');
      }
    } while (this.again && !this.finished);
  }

  private kick(): void {
    if (this.finished) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.step().then(
      () => {
        this.busy = false;
        if (this.again) this.kick();
      },
      (err) => {
        this.busy = false;
        this.finished = true;
        this.rejectDone(err);
      },
    );
  }
}
