// A campaign run, start to end: take the output folder (its lock), start a journal or resume one (replay
// it into the controller), run the loop (loop.ts: ask → enqueue → tell in ask order → journal → stop at
// the budget) while the output writer keeps the folder's files current and the statistics tracker the
// progress, then cancel what the wall-time grace period left running and write the final outputs.
import { statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';

import type { Controller } from '../../controllers/types.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import { jobKey } from '../trial/identity.js';
import { ensureDir, writeJsonAtomic } from './atomic.js';
import { askedBaselineSpecs, type BaselineGraph, BaselineRunner, resolveBaselines } from './baselines.js';
import type { ResolvedCampaign } from './config.js';
import { constrainedController } from './constraints.js';
import { checkJournalSequence } from './dir.js';
import { CampaignError } from './errors.js';
import type { CampaignEvent } from './events.js';
import type { BaselineRecord, SeedGraph } from './input-events.js';
import { type FinishReason, Journal, type JournalEvent, readJournalLines } from './journal.js';
import { JournalState } from './journal-state.js';
import { acquireLock, type CampaignLock } from './lock.js';
import { CampaignLoop, trialId } from './loop.js';
import { checkFreshFolder } from './output-folder.js';
import { OutputWriter } from './output-writer.js';
import type { TrialQueue } from './queue/types.js';
import type { TrialRecord } from './records.js';
import { replayJournal } from './resume.js';
import { newRunId } from './run-id.js';
import { AshaDispatch } from './scheduler/asha-dispatch.js';
import { journaledSeeds, resolveSeedGraphs, warmStartController } from './seed-graphs.js';
import { type CampaignStats, StatsTracker } from './stats.js';

export { CampaignError, trialId, type CampaignEvent, type CampaignStats };

export interface CampaignEnv {
  space: SearchSpace;
  /** A fresh controller for this campaign (seeded from the config); resume loads its state from the journal. */
  createController(): Controller | Promise<Controller>;
  queue: TrialQueue;
  onEvent?(ev: CampaignEvent): void;
  /** A fresh campaign's seeds and baselines, resolved (and so validated) before anything was written; absent: resolved here. */
  seedGraphs?: SeedGraph[];
  baselines?: BaselineGraph[];
}

export interface CampaignSummary {
  dir: string;
  reason: FinishReason;
  stats: CampaignStats;
  best?: TrialRecord;
  records: TrialRecord[];
  /** The baselines (baselines.ts), in the campaign file's order. */
  baselines: BaselineRecord[];
}

/**
 * Runs a campaign in `dir` (fresh: the folder must be empty or absent; resume: continues its journal),
 * holding the folder's lock: the caller's (the CLI takes it before it starts anything else), or its own.
 */
export async function runCampaign(
  config: ResolvedCampaign,
  env: CampaignEnv,
  opts: { dir: string; resume: boolean; lock?: CampaignLock },
): Promise<CampaignSummary> {
  if (!opts.resume) {
    checkFreshFolder(opts.dir);
    ensureDir(opts.dir); // the lock file lives in it
  }
  const lock = opts.lock ?? acquireLock(opts.dir);
  try {
    return await runLocked(config, env, opts);
  } finally {
    if (!opts.lock) lock.release();
  }
}

/** The journal's events so far, its torn last line (a crash mid-append) cut so the next append starts on a fresh line. */
function readForResume(journalPath: string): JournalEvent[] {
  const { events, intactBytes, lines } = readJournalLines(journalPath);
  checkJournalSequence(events, lines, journalPath);
  if (statSync(journalPath).size !== intactBytes) truncateSync(journalPath, intactBytes);
  return events;
}

async function runLocked(
  config: ResolvedCampaign,
  env: CampaignEnv,
  opts: { dir: string; resume: boolean },
): Promise<CampaignSummary> {
  const { dir } = opts;
  const journalPath = join(dir, 'journal.jsonl');
  const past = opts.resume ? readForResume(journalPath) : [];
  // Again under the lock: another process may have used the folder since the first look.
  if (!opts.resume) checkFreshFolder(dir);

  // Seeds and baselines from the campaign file (a fresh run) or from the journal (a resumed one).
  const seeds = opts.resume ? journaledSeeds(past) : (env.seedGraphs ?? (await resolveSeedGraphs(config, env.space)));
  const baselineGraphs =
    env.baselines ?? (await resolveBaselines(config, env.space, undefined, askedBaselineSpecs(past)));
  const journal = new Journal(journalPath);
  const controller = constrainedController(await env.createController(), config);
  warmStartController(controller, seeds);
  const state = new JournalState();
  // Its clock starts now: a replay's time counts as active time.
  const stats = new StatsTracker(state, config.budget);
  const output = new OutputWriter(
    dir,
    config,
    () => state.records.values(),
    () => state.baselines.values(),
  );
  const record = (ev: JournalEvent) => {
    journal.append(ev);
    return state.apply(ev);
  };
  const { queue } = env;
  try {
    let runId = newRunId();
    let sinceSnapshot = 0;
    if (opts.resume) {
      ({ runId, sinceSnapshot } = await replayJournal(
        past,
        controller,
        env.space,
        journalPath,
        config.objective,
        state,
      ));
      stats.continueFrom(state.elapsed);
    } else {
      record({
        type: 'campaign-started',
        time: new Date().toISOString(),
        runId,
        config,
        ...(seeds.length ? { seeds } : {}),
      });
      // After the journal: a folder with campaign.json but no journal would be neither fresh nor resumable.
      writeJsonAtomic(join(dir, 'campaign.json'), config);
    }

    const loop = new CampaignLoop({
      config,
      controller,
      queue,
      state,
      stats,
      output,
      record,
      runId,
      sinceSnapshot,
      onEvent: env.onEvent,
      ...(config.scheduler ? { asha: new AshaDispatch(config.scheduler, dir, state) } : {}),
    });
    const baselines = new BaselineRunner({
      config,
      queue,
      runId,
      baselines: state.baselines,
      record,
      onTold: (b) =>
        env.onEvent?.({
          type: 'baseline',
          name: b.name,
          status: b.status!,
          ...(b.metrics ? { AP: b.metrics.AP } : {}),
          ...(b.error ? { error: b.error } : {}),
          stats: stats.stats(),
        }),
    });
    // Jobs dispatched and not told: trials asked and, with successive halving, promotions.
    const pending = loop.pendingJobs();
    if (opts.resume) {
      output.restoreGraphs();
      record({ type: 'campaign-resumed', time: new Date().toISOString(), asked: state.asked, told: state.told });
      env.onEvent?.({ type: 'resumed', stats: stats.stats(), reattached: pending.length });
      // Told before the crash but maybe not yet dropped from the queue.
      for (const r of state.records.values()) if (r.status) queue.forget?.(loop.jobOf(r));
      await queue.reattach(pending);
    } else {
      env.onEvent?.({ type: 'started', stats: stats.stats(), reattached: 0 });
    }

    // Queued before the first trial: they run first.
    await baselines.start(baselineGraphs);
    const reason = await loop.run();
    // Left asked-but-untold: the journal stays a prefix of what an uninterrupted campaign writes, and
    // --resume runs them again (embedded) or re-attaches to them (BullMQ).
    const cancelled = loop.pendingJobs(false).map(jobKey);
    if (cancelled.length) await queue.cancel?.(cancelled);
    // Baselines left running: cancelled with the trials when the grace period ran out, else awaited.
    if (cancelled.length) await baselines.cancel();
    else await baselines.done();

    record({ type: 'campaign-finished', time: new Date().toISOString(), reason, asked: state.asked, told: state.told });
    output.final();
    const final = stats.stats();
    env.onEvent?.({
      type: 'finished',
      reason,
      stats: final,
      ...(cancelled.length ? { cancelled: cancelled.length } : {}),
    });
    return {
      dir,
      reason,
      stats: final,
      best: state.best,
      records: state.sortedRecords(),
      baselines: [...state.baselines.values()].sort((a, b) => a.index - b.index),
    };
  } finally {
    journal.close();
  }
}
