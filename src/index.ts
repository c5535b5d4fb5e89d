// The public API of pyramid-nas. Re-export each module's public surface here (one line per module).
export { Registry, UnknownNameError, type RegistryEntry, type RegistryConfig } from './util/registry.js';
export { PyramidNasError, OptionValueError, isUsageError, exitCodeOf, type ErrorWhere } from './util/errors.js';
export { jsonPath, type PathIssue } from './util/zod-issues.js';
export * from './graph/index.js';
export * from '../search-spaces/index.js';
export * from '../controllers/index.js';
export * from './data/index.js';
export * from './eval/index.js';
export * from './backend/index.js';
export * from './detector/index.js';
export * from './export/index.js';
export * from './train/index.js';
export * from './trial/index.js';
export * from './campaign/index.js';
export * from '../workers/index.js';
export { connectRedis, parseRedisUrl, warnIfEvicting } from './util/redis-connection.js';
// The fake trainer stays importable from here as before; its home is pyramid-nas/testing.
export { createFakeTrainer, fakeMetrics, type FakeSpec } from './testing/fake-trainer.js';
export * from './dashboard/index.js';
export {
  loadStudyFile,
  planStudy,
  runStudyCampaigns,
  evaluateStudy,
  evaluateTransfer,
  studyReport,
  StudyConfigError,
  type Study,
  type StudyPlan,
} from './study/index.js';
