// pyramid-nas/testing: fast-check arbitraries, transforms and laws for pyramid graphs, search spaces and
// controllers, and the test doubles (fake trainer, synthetic campaigns and COCO sets), for this project's
// tests and benchmarks and for users testing their own spaces and controllers.
export {
  arbGraph,
  arbCorruptedGraph,
  corrupt,
  CORRUPTION_KINDS,
  type ArbGraphOptions,
  type CorruptedGraph,
  type CorruptionKind,
} from './arbitraries.js';
export { shuffleNodes, renameIds, swapCommutativeInputs, addDeadNodes } from './transforms.js';
export { assertEverySampleParses, assertHashInvariant } from './laws.js';
// The laws every search space and every controller obeys (docs/search-spaces.md, docs/controllers.md).
export { spaceLaws, arbDecisions } from '../../search-spaces/laws.js';
export {
  controllerLaws,
  arbOutcome,
  arbControllerScript,
  type ControllerFactory,
  type ControllerLawOptions,
  type ControllerScript,
} from '../../controllers/laws.js';
// Test doubles: a deterministic trainer (PYRAMID_NAS_TRAINER=fake), a synthetic campaign folder, COCO sets.
export { createFakeTrainer, fakeMetrics, fakeSpecFromEnv, type FakeSpec } from './fake-trainer.js';
export { writeSyntheticCampaign, type SyntheticCampaignOptions } from './synthetic-campaign.js';
export { syntheticCocoSet, type SyntheticCocoOptions } from './synthetic-coco.js';
export { arbCocoCase, type CocoCase, type CocoCaseOptions } from './coco-arbitraries.js';
export { seededRandom } from './rng.js';
export {
  syntheticObjective,
  nearTarget,
  drive as driveSynthetic,
  syntheticMetrics,
  type SyntheticObjective,
} from './synthetic-objective.js';
