// Running an evaluation: every (entry, seed) not yet in the journal is trained at the task's budget and
// scored on the test split, one after another; each finished training is journaled at once and the
// outputs (evaluation.json, evaluation.svg) rewritten atomically, so a stop at any point loses at most the
// training in progress, and a rerun with the same arguments continues where it stopped.
import { join } from 'node:path';

import { ensureDir, writeFileAtomic, writeJsonAtomic } from '../campaign/atomic.js';
import { FULL_SCALE } from '../graph/cost.js';
import type { PyramidGraph } from '../graph/types.js';
import type { ProxyTaskConfig } from '../trial/proxy-task.js';
import type { TrainHooks, TrialMetrics } from '../trial/types.js';
import type { EvalEntry } from './entries.js';
import { appendRecord, type EvalRecord, JOURNAL_FILE, readJournal, recordKey } from './journal.js';
import { evaluationSvg } from './plot.js';
import { type EntrySummary, type FullWidth, summarize } from './summary.js';
import type { EvaluationTask } from './task.js';

export const EVALUATION_FORMAT = 'pyramid-nas-evaluation/1';

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

export async function runEvaluation(
  plan: EvaluationPlan,
  train: EvalTrainer,
  hooks: RunHooks = {},
): Promise<EvaluationResult> {
  ensureDir(plan.out);
  const files = {
    json: join(plan.out, 'evaluation.json'),
    svg: join(plan.out, 'evaluation.svg'),
    journal: join(plan.out, JOURNAL_FILE),
  };
  const records: EvalRecord[] = readJournal(files.journal);
  const done = new Set(records.map(recordKey));
  const todo: Array<{ entry: EvalEntry; seed: number }> = [];
  for (const entry of plan.entries)
    for (let seed = 0; seed < plan.task.seeds; seed++)
      if (!done.has(recordKey({ hash: entry.hash, task: plan.task.hash, seed }))) todo.push({ entry, seed });
  const total = plan.entries.length * plan.task.seeds;
  const skipped = total - todo.length;
  hooks.log?.(
    `${total} trainings (${plan.entries.length} graphs × ${plan.task.seeds} seeds)` +
      (skipped ? `: ${skipped} already in ${files.journal}, skipped` : ''),
  );
  const failed: EvaluationResult['failed'] = [];
  let trained = 0;
  writeOutputs(plan, summarize(plan.entries, records, plan.task, plan.full), files);
  for (const [i, { entry, seed }] of todo.entries()) {
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
      if (!hooks.isTrainingFailure?.(err)) throw err;
      const error = (err as Error).message;
      failed.push({ name: entry.name, seed, error });
      hooks.log?.(`  failed: ${error} (not journaled: a rerun tries it again)`);
      continue;
    }
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
    hooks.log?.(`  test AP ${(100 * metrics.AP).toFixed(1)} (${record.wallSeconds.toFixed(0)} s)`);
    writeOutputs(plan, summarize(plan.entries, records, plan.task, plan.full), files);
  }
  const rows = summarize(plan.entries, records, plan.task, plan.full);
  writeOutputs(plan, rows, files);
  return { rows, trained, skipped, failed, files };
}
