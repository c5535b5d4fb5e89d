// The campaign loop (DESIGN.md §2, §9): ask → enqueue (up to `concurrency` in flight) → on each result
// tell the controller → journal → stop at the budget → write outputs.
//
// Determinism: results arrive in any order, but the controller is told in ask order (a reorder buffer),
// and proposal i+concurrency is asked right after trial i is told. So the sequence of asks and tells,
// and therefore every proposal, depends only on the seed and the results, never on timing; a resumed
// campaign replays the journal into the controller and continues with exactly the proposals an
// uninterrupted run would have made. The price is head-of-line blocking: a slow trial holds back the
// next ask while faster ones wait in the buffer.
import { existsSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Controller } from '../../controllers/types.js';
import { computeReward } from '../../controllers/reward.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import type { TrialJob, TrialResult } from '../../workers/types.js';
import type { TrainProgress } from '../../workers/trial-processor.js';
import { ensureDir, writeJsonAtomic } from './atomic.js';
import type { ResolvedCampaign } from './config.js';
import { outcomeOf, replayJournal } from './resume.js';
import { newRunId } from './run-id.js';
import { identityMismatch, proxyHash } from '../../workers/trial-identity.js';
import { CampaignError } from './errors.js';
import { checkJournalSequence } from './dir.js';
import { acquireLock, type CampaignLock } from './lock.js';
import { checkFreshFolder } from './output-folder.js';
import { Journal, readJournalLines, type FinishReason, type JournalEvent, type ToldEvent } from './journal.js';
import { writeSummaries, writeTrialGraph } from './outputs.js';
import { beats, bestTrial, type Rankable, type TrialRecord } from './records.js';
import type { TrialQueue } from './queue/types.js';

export { CampaignError };

export interface CampaignStats {
  asked: number;
  told: number;
  /** Trials the budget allows (undefined: wall-time budget only). */
  total?: number;
  running: number;
  complete: number;
  failed: number;
  invalid: number;
  /** The best trial so far (records.ts's ranking: highest reward), its reward, and its AP. */
  bestTrial?: string;
  bestReward?: number;
  bestAP?: number;
  elapsed: number;
}

export type CampaignEvent =
  | { type: 'started' | 'resumed'; stats: CampaignStats; reattached: number }
  | { type: 'asked'; index: number; trialId: string; hash: string; stats: CampaignStats }
  | { type: 'told'; index: number; trialId: string; status: string; reward: number; error?: string; stats: CampaignStats }
  | { type: 'progress'; trialId: string; progress: TrainProgress; stats: CampaignStats }
  | { type: 'finished'; reason: FinishReason; stats: CampaignStats; /** Trials still running when the wall-time grace period ran out. */ cancelled?: number };

export interface CampaignEnv {
  space: SearchSpace;
  /** A fresh controller for this campaign (seeded from the config); resume loads its state from the journal. */
  createController(): Controller | Promise<Controller>;
  queue: TrialQueue;
  onEvent?(ev: CampaignEvent): void;
}

export interface CampaignSummary {
  dir: string;
  reason: FinishReason;
  stats: CampaignStats;
  best?: TrialRecord;
  records: TrialRecord[];
}

export function trialId(campaign: string, index: number): string {
  return `${campaign}-${index}`;
}

/**
 * Runs a campaign in `dir` (fresh: the folder must be empty or absent; resume: continues its journal),
 * holding the folder's lock: the caller's (the CLI takes it before it starts anything else), or its own.
 */
export async function runCampaign(config: ResolvedCampaign, env: CampaignEnv, opts: { dir: string; resume: boolean; lock?: CampaignLock }): Promise<CampaignSummary> {
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

async function runLocked(config: ResolvedCampaign, env: CampaignEnv, opts: { dir: string; resume: boolean }): Promise<CampaignSummary> {
  const { dir } = opts;
  const journalPath = join(dir, 'journal.jsonl');
  let past: JournalEvent[] = [];
  if (opts.resume) {
    const { events, intactBytes, lines } = readJournalLines(journalPath);
    checkJournalSequence(events, lines, journalPath);
    // Drop a torn last line (a crash mid-append) so the next append starts on a fresh line.
    if (statSync(journalPath).size !== intactBytes) truncateSync(journalPath, intactBytes);
    past = events;
  } else {
    // Again under the lock: another process may have used the folder since the first look.
    checkFreshFolder(dir);
  }

  const journal = new Journal(journalPath);
  const controller = await env.createController();
  const records = new Map<number, TrialRecord>();
  const buffer = new Map<number, TrialResult>();
  const { queue } = env;
  let nextAsk = 0;
  /** This run's id (run-id.ts): new for a fresh campaign, the journal's on resume. */
  let runId = newRunId();
  const proxyIdentity = proxyHash(config.proxy);
  let nextTell = 0;
  let sinceSnapshot = 0;
  let elapsedBase = 0;
  let exhausted = false;
  const counts = { complete: 0, failed: 0, invalid: 0 };
  let best: TrialRecord | undefined;
  const t0 = performance.now();
  const elapsed = () => elapsedBase + (performance.now() - t0) / 1000;

  const stats = (): CampaignStats => ({
    asked: nextAsk,
    told: nextTell,
    total: config.budget.trials,
    running: nextAsk - nextTell,
    ...counts,
    bestTrial: best?.trialId,
    bestReward: best?.reward,
    bestAP: best?.metrics?.AP,
    elapsed: elapsed(),
  });

  const noteTold = (r: TrialRecord) => {
    counts[r.status!]++;
    if (r.status === 'complete' && typeof r.reward === 'number' && Number.isFinite(r.reward) && beats(r as Rankable, best as Rankable | undefined)) best = r;
  };

  try {
    // --- replay (resume) -------------------------------------------------------------------------
    if (opts.resume) {
      const replayed = await replayJournal(past, controller, env.space, journalPath);
      for (const r of replayed.records.values()) {
        records.set(r.index, r);
        if (r.status) noteTold(r);
      }
      ({ nextAsk, nextTell, sinceSnapshot, elapsedBase } = replayed);
      runId = replayed.runId;
    } else {
      journal.append({ type: 'campaign-started', time: new Date().toISOString(), runId, config });
      // After the journal: a folder with campaign.json but no journal would be neither fresh nor resumable.
      writeJsonAtomic(join(dir, 'campaign.json'), config);
    }

    // The trial time limit travels in the job: whoever runs it (the embedded pool, a BullMQ worker) enforces it.
    const timeout = config.trialTimeoutSeconds !== undefined ? { timeoutSeconds: config.trialTimeoutSeconds } : {};
    const jobOf = (r: TrialRecord): TrialJob => ({ campaign: config.name, trialId: r.trialId, index: r.index, graph: r.graph!, proxy: config.proxy, runId, graphHash: r.hash, proxyHash: proxyIdentity, ...timeout });

    const maybeSnapshot = () => {
      if (++sinceSnapshot >= config.snapshotEvery) {
        journal.append({ type: 'controller-snapshot', asked: nextAsk, told: nextTell, state: controller.state() });
        sinceSnapshot = 0;
      }
    };

    const wallExpired = () => config.budget.wallSeconds !== undefined && elapsed() >= config.budget.wallSeconds;
    const mayAskMore = () => !exhausted && (config.budget.trials === undefined || nextAsk < config.budget.trials) && !wallExpired();

    let summariesDue = false;
    let lastSummary = 0;
    const flushSummaries = (force: boolean) => {
      if (!summariesDue) return;
      const now = performance.now();
      if (!force && now - lastSummary < 2000) return;
      writeSummaries(dir, config, [...records.values()]);
      summariesDue = false;
      lastSummary = now;
    };

    // --- the loop ---------------------------------------------------------------------------------
    let resolveDone!: (reason: FinishReason) => void;
    let rejectDone!: (err: unknown) => void;
    const done = new Promise<FinishReason>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    let busy = false;
    let again = false;
    let finished = false;
    /** The wall budget and its grace period are both over: stop waiting for running trials. */
    let graceOver = false;

    // Tells exactly one buffered result (the next in ask order), if it is here.
    const tellNext = async (): Promise<boolean> => {
      if (!buffer.has(nextTell)) return false;
      const result = buffer.get(nextTell)!;
      buffer.delete(nextTell);
      const r = records.get(nextTell)!;
      const outcome = outcomeOf(result);
      await controller.tell(r.index, outcome);
      const reward = computeReward(outcome, config.objective, config.objective.rewardForInvalid).reward;
      const ev: ToldEvent = {
        type: 'told', index: r.index, trialId: r.trialId, status: outcome.status,
        ...(outcome.metrics ? { metrics: outcome.metrics } : { error: outcome.error }),
        reward, wallSeconds: result.wallSeconds, ...(result.worker ? { worker: result.worker } : {}), elapsed: elapsed(),
      };
      journal.append(ev);
      queue.forget?.(jobOf(r));
      Object.assign(r, { status: ev.status, metrics: ev.metrics, error: ev.error, reward, wallSeconds: ev.wallSeconds, worker: ev.worker });
      noteTold(r);
      nextTell++;
      writeTrialGraph(dir, config, r);
      summariesDue = true;
      maybeSnapshot();
      env.onEvent?.({ type: 'told', index: r.index, trialId: r.trialId, status: r.status!, reward, error: r.error, stats: stats() });
      return true;
    };

    const askMore = async () => {
      while (mayAskMore() && nextAsk - nextTell < config.concurrency) {
        let p;
        try {
          p = await controller.ask();
        } catch (err) {
          if ((err as { code?: string }).code === 'SPACE_EXHAUSTED') {
            exhausted = true;
            break;
          }
          throw err;
        }
        if (p.index !== nextAsk) throw new CampaignError('BAD_JOURNAL', `controller returned proposal #${p.index}, expected #${nextAsk}`);
        const r: TrialRecord = { index: p.index, trialId: trialId(config.name, p.index), decisions: p.decisions, hash: p.hash, graph: p.graph };
        journal.append({ type: 'asked', index: r.index, trialId: r.trialId, decisions: r.decisions, hash: r.hash });
        records.set(r.index, r);
        nextAsk++;
        maybeSnapshot();
        env.onEvent?.({ type: 'asked', index: r.index, trialId: r.trialId, hash: r.hash, stats: stats() });
        await queue.submit(jobOf(r));
      }
    };

    const step = async () => {
      do {
        again = false;
        // Ask what the last tell allows before telling the next one: the interleaving of asks and tells
        // (and so the controller's view) is then the same whatever order results arrived in.
        do await askMore();
        while (await tellNext());
        flushSummaries(false);
        if (!finished && nextTell === nextAsk && !mayAskMore()) {
          finished = true;
          resolveDone(exhausted ? 'exhausted' : config.budget.trials !== undefined && nextAsk >= config.budget.trials ? 'trials' : 'wallSeconds');
        }
        if (!finished && graceOver) {
          // Trials still running are cancelled below and stay asked-but-untold in the journal.
          finished = true;
          resolveDone('wallSeconds');
        }
      } while (again && !finished);
    };

    const kick = () => {
      if (finished) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      step().then(
        () => {
          busy = false;
          if (again) kick();
        },
        (err) => {
          busy = false;
          finished = true;
          rejectDone(err);
        },
      );
    };

    queue.onResult((result) => {
      const m = /-(\d+)$/.exec(result.trialId);
      const index = m ? Number(m[1]) : -1;
      // Each trial is told once: late duplicates (a retried job finishing twice) are ignored.
      if (!records.has(index) || records.get(index)!.trialId !== result.trialId || index < nextTell || buffer.has(index)) return;
      // A result must be the answer to what this run asked (trial-identity.ts); one that is not (left in
      // Redis by another run, trained on another graph or proxy) is told as a failure, never as metrics.
      const rec = records.get(index)!;
      const mismatch = identityMismatch({ trialId: rec.trialId, runId, graphHash: rec.hash, proxyHash: proxyIdentity }, result);
      if (mismatch) result = { trialId: rec.trialId, status: 'failed', error: `RESULT_MISMATCH: ${mismatch}`, wallSeconds: result.wallSeconds, ...(result.worker ? { worker: result.worker } : {}) };
      buffer.set(index, result);
      kick();
    });
    queue.onProgress((id, progress) => env.onEvent?.({ type: 'progress', trialId: id, progress, stats: stats() }));

    const pending = [...records.values()].filter((r) => !r.status);
    if (opts.resume) {
      // A crash between a told event and its graph file leaves the file missing: write it again.
      for (const r of records.values()) if (r.status && !existsSync(join(dir, 'graphs', `${r.trialId}.graph.json`))) writeTrialGraph(dir, config, r);
      journal.append({ type: 'campaign-resumed', time: new Date().toISOString(), asked: nextAsk, told: nextTell });
      env.onEvent?.({ type: 'resumed', stats: stats(), reattached: pending.length });
      // Told before the crash but maybe not yet dropped from the queue.
      for (const r of records.values()) if (r.status) queue.forget?.(jobOf(r));
      await queue.reattach(pending.map(jobOf));
    } else {
      env.onEvent?.({ type: 'started', stats: stats(), reattached: 0 });
    }

    let wallTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    if (config.budget.wallSeconds !== undefined) {
      const grace = config.budget.graceSeconds ?? 0;
      wallTimer = setTimeout(() => {
        kick();
        graceTimer = setTimeout(() => {
          graceOver = true;
          kick();
        }, grace * 1000);
      }, Math.max(0, (config.budget.wallSeconds - elapsed()) * 1000) + 10);
    }
    kick();
    let reason: FinishReason;
    try {
      reason = await done;
    } finally {
      if (wallTimer) clearTimeout(wallTimer);
      if (graceTimer) clearTimeout(graceTimer);
    }
    // Left asked-but-untold: the journal stays a prefix of what an uninterrupted campaign writes, and
    // --resume runs them again (embedded) or re-attaches to them (BullMQ).
    const cancelled = [...records.values()].filter((r) => !r.status).map((r) => r.trialId);
    if (cancelled.length) await queue.cancel?.(cancelled);

    journal.append({ type: 'campaign-finished', time: new Date().toISOString(), reason, asked: nextAsk, told: nextTell });
    summariesDue = true;
    flushSummaries(true);
    const all = [...records.values()].sort((a, b) => a.index - b.index);
    const final = stats();
    env.onEvent?.({ type: 'finished', reason, stats: final, ...(cancelled.length ? { cancelled: cancelled.length } : {}) });
    return { dir, reason, stats: final, best: bestTrial(all), records: all };
  } finally {
    journal.close();
  }
}
