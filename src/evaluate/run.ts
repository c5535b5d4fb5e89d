// Running an evaluation: every (entry, seed) not yet in the journal is trained at the task's budget and
// scored on the test split, one after another in this process, or `concurrency` at once on a process pool
// (pooled.ts); each finished training is journaled at once, by this process alone, and the outputs
// (evaluation.json, evaluation.svg) rewritten atomically, so a stop at any point loses at most the
// trainings in progress, and a rerun with the same arguments continues where it stopped. A training's
// result depends only on its graph, task and seed, so the records are the same either way; only their
// order in the journal differs, and records are keyed.
import { join } from 'node:path';

import { ensureDir, writeFileAtomic, writeJsonAtomic } from '../campaign/atomic.js';
import { FULL_SCALE } from '../graph/cost.js';
import type { PyramidGraph } from '../graph/types.js';
import type { ProxyTaskConfig } from '../trial/proxy-task.js';
import type { TrainHooks, TrialMetrics } from '../trial/types.js';
import { PyramidNasError } from '../util/errors.js';
import type { EvalEntry } from './entries.js';
import { appendRecord, type EvalRecord, JOURNAL_FILE, readJournal, recordKey } from './journal.js';
import { evaluationSvg } from './plot.js';
import { answerMetrics, evaluationJob, evaluationRunId } from './pooled.js';
import { type EntrySummary, type FullWidth, summarize } from './summary.js';
import type { EvaluationTask } from './task.js';

export const EVALUATION_FORMAT = 'pyramid-nas-evaluation/1';
/** The evaluation's result file in its output folder. */
export const EVALUATION_FILE = 'evaluation.json';

/** trainAndEvaluate's shape with the scoring options `evaluate` needs (a test double in tests). */
export type EvalTrainer = (
  graph: PyramidGraph,
  proxy: ProxyTaskConfig,
  hooks: TrainHooks,
  scoring: { split: 'test'; testImages: number; firstRun: number },
) => Promise<TrialMetrics>;

export interface EvaluationPlan {
  entries: EvalEntry[];
  task: EvaluationTask;
  full: FullWidth;
  out: string;
  title: string;
  /** What was asked (campaign folder, graph specs, baselines): recorded in evaluation.json. */
  request: Record<string, unknown>;
}

export interface RunHooks {
  log?: (line: string) => void;
  /** A training that failed with a coded, deterministic error (diverged): logged, not journaled, retried on a rerun. */
  isTrainingFailure?: (err: unknown) => boolean;
  trainHooks?: (entry: EvalEntry, seed: number) => TrainHooks;
}

export interface EvaluationOptions {
  /**
   * Trainings at once. 1 (the default): one after another, in this process, with the trainer given to
   * runEvaluation. More: on a process pool of that size, whose children train with the trainer
   * PYRAMID_NAS_TRAINER names in `env` (the given trainer is not called; trainHooks' signal is not used).
   */
  concurrency?: number;
  /** The pool children's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /**
   * Stops the evaluation: no training starts after it, those in flight on the pool are stopped (their
   * children killed) and lost, and runEvaluation rejects with an ABORTED error. What finished is journaled.
   */
  signal?: AbortSignal;
}

export interface EvaluationResult {
  rows: EntrySummary[];
  trained: number;
  skipped: number;
  failed: Array<{ name: string; seed: number; error: string }>;
  files: { json: string; svg: string; journal: string };
}

function writeOutputs(plan: EvaluationPlan, rows: EntrySummary[], files: EvaluationResult['files']): void {
  const complete = rows.every((r) => r.seedsDone === plan.task.seeds);
  writeJsonAtomic(files.json, {
    format: EVALUATION_FORMAT,
    split: 'test',
    complete,
    request: plan.request,
    task: {
      proxy: plan.task.proxy,
      budget: plan.task.budget,
      seeds: plan.task.seeds,
      testImages: plan.task.testImages,
      hash: plan.task.hash,
    },
    fullWidth: { ...plan.full, backbone: FULL_SCALE.backbone, backboneChannels: FULL_SCALE.backboneChannels },
    entries: rows,
  });
  writeFileAtomic(files.svg, evaluationSvg(rows, plan.title));
}

function stoppedError(): PyramidNasError {
  return new PyramidNasError('ABORTED', 'evaluation stopped; the trainings it finished are journaled');
}

export async function runEvaluation(
  plan: EvaluationPlan,
  train: EvalTrainer,
  hooks: RunHooks = {},
  options: EvaluationOptions = {},
): Promise<EvaluationResult> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new RangeError(`evaluation concurrency must be an integer ≥ 1 (got ${concurrency})`);
  ensureDir(plan.out);
  const files = {
    json: join(plan.out, EVALUATION_FILE),
    svg: join(plan.out, 'evaluation.svg'),
    journal: join(plan.out, JOURNAL_FILE),
  };
  const records: EvalRecord[] = readJournal(files.journal);
  const done = new Set(records.map(recordKey));
  const todo: Pending[] = [];
  for (const [entryIndex, entry] of plan.entries.entries())
    for (let seed = 0; seed < plan.task.seeds; seed++)
      if (!done.has(recordKey({ hash: entry.hash, task: plan.task.hash, seed })))
        todo.push({ entry, entryIndex, seed });
  const total = plan.entries.length * plan.task.seeds;
  const skipped = total - todo.length;
  hooks.log?.(
    `${total} trainings (${plan.entries.length} graphs × ${plan.task.seeds} seeds)` +
      (skipped ? `: ${skipped} already in ${files.journal}, skipped` : ''),
  );
  const failed: EvaluationResult['failed'] = [];
  let trained = 0;
  writeOutputs(plan, summarize(plan.entries, records, plan.task, plan.full), files);
  const run: RunState = {
    plan,
    hooks,
    todo,
    failed,
    /** Journals a finished training and rewrites the outputs. */
    finish(entry, seed, metrics, started, named) {
      const record: EvalRecord = {
        hash: entry.hash,
        task: plan.task.hash,
        seed,
        name: entry.name,
        metrics,
        wallSeconds: (performance.now() - started) / 1000,
        finishedAt: new Date().toISOString(),
      };
      appendRecord(files.journal, record);
      records.push(record);
      trained++;
      hooks.log?.(
        `  ${named ? `${entry.name} seed ${seed}: ` : ''}test AP ${(100 * metrics.AP).toFixed(1)} (${record.wallSeconds.toFixed(0)} s)`,
      );
      writeOutputs(plan, summarize(plan.entries, records, plan.task, plan.full), files);
    },
    /** A failed training: true when it is one to log and retry on a rerun (isTrainingFailure). */
    failure(entry, seed, err, named) {
      if (!hooks.isTrainingFailure?.(err)) return false;
      const error = (err as Error).message;
      failed.push({ name: entry.name, seed, error });
      hooks.log?.(
        `  ${named ? `${entry.name} seed ${seed} ` : ''}failed: ${error} (not journaled: a rerun tries it again)`,
      );
      return true;
    },
  };
  if (concurrency > 1 && todo.length > 0) await trainPooled(run, concurrency, options);
  else await trainInProcess(run, train, options.signal);
  const rows = summarize(plan.entries, records, plan.task, plan.full);
  writeOutputs(plan, rows, files);
  return { rows, trained, skipped, failed, files };
}

interface Pending {
  entry: EvalEntry;
  /** Its position in the plan's entries (names a pool job). */
  entryIndex: number;
  seed: number;
}

interface RunState {
  plan: EvaluationPlan;
  hooks: RunHooks;
  todo: Pending[];
  failed: EvaluationResult['failed'];
  finish(entry: EvalEntry, seed: number, metrics: TrialMetrics, started: number, named: boolean): void;
  failure(entry: EvalEntry, seed: number, err: unknown, named: boolean): boolean;
}

async function trainInProcess(run: RunState, train: EvalTrainer, signal: AbortSignal | undefined): Promise<void> {
  const { plan, hooks, todo } = run;
  for (const [i, { entry, seed }] of todo.entries()) {
    if (signal?.aborted) throw stoppedError();
    hooks.log?.(`[${i + 1}/${todo.length}] ${entry.name} seed ${seed}`);
    const started = performance.now();
    let metrics: TrialMetrics;
    try {
      metrics = await train(entry.graph, plan.task.proxy, hooks.trainHooks?.(entry, seed) ?? {}, {
        split: 'test',
        testImages: plan.task.testImages,
        firstRun: seed,
      });
    } catch (err) {
      if (!run.failure(entry, seed, err, false)) throw err;
      continue;
    }
    run.finish(entry, seed, metrics, started, false);
  }
}

/**
 * At most `size` trainings at once on a process pool of that size; each answer is journaled as it arrives.
 * The first error that is no training failure stops the rest (their children are killed) and is thrown; so
 * is a stop (options.signal). The pool is closed on every way out, and its children are killed should this
 * process exit before (process.exit in a signal handler).
 */
async function trainPooled(run: RunState, size: number, options: EvaluationOptions): Promise<void> {
  const { plan, hooks, todo } = run;
  const [{ ProcessPool }, { LIMIT_KEYS }] = await Promise.all([
    import('../../workers/process-pool.js'),
    import('../../workers/job-limits.js'),
  ]);
  const pool = new ProcessPool({
    size,
    env: options.env ?? process.env,
    // The user's own task on the user's own machine, as the in-process path trains it: none of the limits a
    // shared worker puts on other people's jobs.
    limits: Object.fromEntries(LIMIT_KEYS.map((k) => [k, Number.MAX_SAFE_INTEGER])) as Record<
      (typeof LIMIT_KEYS)[number],
      number
    >,
  });
  let closing: Promise<void> | undefined;
  // Its first step, a SIGTERM to every child, is synchronous: it runs even from an 'exit' handler.
  const close = () => (closing ??= pool.close());
  const closeNow = () => void close();
  process.once('exit', closeNow);
  options.signal?.addEventListener('abort', closeNow, { once: true });
  const runId = evaluationRunId();
  let fatal: { err: unknown } | undefined;
  const stopped = () => fatal !== undefined || options.signal?.aborted === true;
  let next = 0;
  const lane = async () => {
    try {
      await laneLoop();
    } catch (err) {
      // Journaling failed (a full disk): as fatal as in the in-process path.
      fatal ??= { err };
      closeNow();
    }
  };
  const laneLoop = async () => {
    while (!stopped() && next < todo.length) {
      const i = next++;
      const { entry, entryIndex, seed } = todo[i];
      hooks.log?.(`[${i + 1}/${todo.length}] ${entry.name} seed ${seed}`);
      const job = evaluationJob(entry, entryIndex, seed, plan.task, runId);
      const onProgress = hooks.trainHooks?.(entry, seed).onProgress;
      const started = performance.now();
      let metrics: TrialMetrics;
      try {
        metrics = answerMetrics(job, await pool.run(job, onProgress), `${entry.name} seed ${seed}`);
      } catch (err) {
        // After a stop, what fails is what the stop killed.
        if (stopped()) return;
        if (run.failure(entry, seed, err, true)) continue;
        fatal = { err };
        hooks.log?.(
          `  ${entry.name} seed ${seed}: ${(err as Error).message}; stopping the trainings in flight (a rerun trains them again)`,
        );
        closeNow();
        return;
      }
      run.finish(entry, seed, metrics, started, true);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(size, todo.length) }, lane));
  } finally {
    process.off('exit', closeNow);
    options.signal?.removeEventListener('abort', closeNow);
    await close();
  }
  if (fatal) throw fatal.err;
  if (options.signal?.aborted) throw stoppedError();
}
