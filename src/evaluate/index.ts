// `pyramid-nas evaluate`: the final comparison of pyramids on the test split (docs/evaluate.md).
export {
  baselineEntry,
  DEFAULT_CAMPAIGN_BASELINES,
  type EvalEntry,
  graphEntries,
  heldoutApOf,
  type Levels,
  mergeEntries,
  requireLevels,
} from './entries.js';
export { EvaluateError, type EvaluateErrorCode } from './errors.js';
export { appendRecord, type EvalRecord, JOURNAL_FILE, readJournal } from './journal.js';
export { evaluationSvg } from './plot.js';
export {
  EVALUATION_FORMAT,
  type EvalTrainer,
  type EvaluationOptions,
  type EvaluationPlan,
  type EvaluationResult,
  runEvaluation,
} from './run.js';
export { type EntrySummary, type FullWidth, meanSd, summarize } from './summary.js';
export { evaluationTable } from './table.js';
export { type EvaluationTask, evaluationTask } from './task.js';
