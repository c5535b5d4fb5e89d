// `pyramid-nas study`: campaigns × seeds, the evaluation of their winners, and the report (docs/study.md).
export { loadStudyFile, parseStudy, type Study, StudyConfigError, type StudyInput, studySchema } from './schema.js';
export { CAMPAIGNS_DIR, type PlannedCampaign, planStudy, type StudyPlan, studyOut, studyPath } from './plan.js';
export { campaignState, type RunStudyOptions, runStudyCampaigns, type StudyRunResult } from './run.js';
export {
  band,
  bestAtCpu,
  bestAtTrials,
  bestSoFarCurve,
  type CurvePoint,
  medianOrNever,
  trialsToReach,
} from './curves.js';
export {
  type DiscoveredWinner,
  discoveredGraph,
  exportDiscovered,
  type ExportResult,
  heldOutBest,
  type HeldOutBest,
  SELECTED_BY,
  type TestAp,
  testApOf,
} from './export.js';
export { EVALUATION_DIR, evaluateStudy, evaluateTransfer, TRANSFER_DIR, winnersOf } from './evaluate-step.js';
export { studyEvalTrainer } from './eval-trainer.js';
export { bandSvg } from './plot.js';
export { niceTicks } from '../util/svg-chart.js';
export { CURVES_CPU_SVG, CURVES_TRIALS_SVG, REPORT_FILE, referenceCampaign, studyReport } from './report.js';
