// What the campaign loop needs to run successive halving (docs/campaigns.md, "Successive halving"): the
// rungs' steps, the next promotion the rule allows (asha.ts, over the journal's fold), each job's rung and
// checkpoint, and the checkpoints themselves. A rung's checkpoint comes back in its job's result; it is
// written to `<output>/checkpoints/<trialId>.rung<k>.json` before the result is journaled, read back when the
// trial is promoted (in this process or after a resume), and removed once the rung above has its result.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { TrainCheckpoint, TrialRung } from '../../trial/types.js';
import { writeJsonAtomic } from '../atomic.js';
import type { JournalState } from '../journal-state.js';
import { rungSteps } from './asha.js';
import type { AshaScheduler } from './config.js';

export class AshaDispatch {
  /** Training steps at each rung: the step a job at rung k trains to. */
  readonly steps: number[];
  private readonly dir: string;

  constructor(
    readonly scheduler: AshaScheduler,
    outputDir: string,
    private readonly state: JournalState,
  ) {
    this.steps = rungSteps(scheduler.minSteps, scheduler.maxSteps, scheduler.eta);
    this.dir = join(outputDir, 'checkpoints');
  }

  get topRung(): number {
    return this.steps.length - 1;
  }

  /** Steps a job at `rung` trains: from the rung below (or from scratch at rung 0) to its own. */
  jobSteps(rung: number): number {
    return this.steps[rung] - (rung > 0 ? this.steps[rung - 1] : 0);
  }

  /** Steps of the jobs in flight (dispatched, result not yet journaled). */
  stepsInFlight(): number {
    return this.state.rungs.pending().reduce((n, j) => n + this.jobSteps(j.rung), 0);
  }

  /** The promotion the rule allows now, if any. */
  nextPromotion(): { index: number; rung: number } | undefined {
    return this.state.rungs.rungs(this.steps, this.scheduler.eta).nextPromotion();
  }

  /**
   * The rung part of a job. A promotion continues the checkpoint of the rung below; if that file is gone
   * (deleted by hand), it trains from step 0 instead, which gives the same result at a higher cost.
   */
  rungJob(trialId: string, rung: number, withCheckpoint = true): TrialRung {
    const job: TrialRung = { rung, steps: this.steps[rung] };
    if (rung === 0 || !withCheckpoint) return job;
    const file = this.file(trialId, rung - 1);
    if (!existsSync(file)) return job;
    return { ...job, checkpoint: JSON.parse(readFileSync(file, 'utf8')) as TrainCheckpoint };
  }

  /** Keeps a rung's checkpoint for a later promotion (the top rung's is never needed). */
  save(trialId: string, rung: number, checkpoint: TrainCheckpoint | undefined): void {
    if (checkpoint && rung < this.topRung) writeJsonAtomic(this.file(trialId, rung), checkpoint);
  }

  /** The checkpoint of a rung the trial was promoted out of and continued: no longer needed. */
  drop(trialId: string, rung: number): void {
    rmSync(this.file(trialId, rung), { force: true });
  }

  /** Every checkpoint (the campaign is over and nothing is in flight). */
  dropAll(): void {
    if (!existsSync(this.dir)) return;
    for (const f of readdirSync(this.dir)) if (f.endsWith('.json')) rmSync(join(this.dir, f), { force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }

  private file(trialId: string, rung: number): string {
    return join(this.dir, `${trialId}.rung${rung}.json`);
  }
}
