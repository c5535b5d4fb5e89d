// pyramid-nas/testing: fast-check arbitraries, transforms and laws for pyramid graphs, for this project's
// property tests and for users testing their own search spaces.
export { arbGraph, arbCorruptedGraph, corrupt, CORRUPTION_KINDS, type ArbGraphOptions, type CorruptedGraph, type CorruptionKind } from './arbitraries.js';
export { shuffleNodes, renameIds, swapCommutativeInputs, addDeadNodes } from './transforms.js';
export { assertEverySampleParses, assertHashInvariant } from './laws.js';
// The search-space laws (DESIGN.md §6), for users checking their own SearchSpace.
export { spaceLaws, arbDecisions } from '../../search-spaces/laws.js';
export { seededRandom } from './rng.js';
