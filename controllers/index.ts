// Controllers (DESIGN.md §8): createController(kind, space, options, seed) with zod-validated options.
// The RL controller imports tfjs lazily (in RlController.create), so importing this module stays cheap.
import type { SearchSpace } from '../search-spaces/space.js';
import { OptionsError } from '../search-spaces/options.js';
import { EvolutionController } from './evolution.js';
import { RandomController } from './random.js';
import { RlController } from './rl.js';
import type { Controller } from './types.js';

export * from './types.js';
export { computeReward, objectiveSchema, type Objective, type ObjectiveInput, type Reward } from './reward.js';
export { ControllerError } from './book.js';
export { RandomController, randomOptionsSchema, type RandomOptions } from './random.js';
export { EvolutionController, evolutionOptionsSchema, type EvolutionOptions } from './evolution.js';
export { RlController, rlOptionsSchema, type RlOptions } from './rl.js';
export { createRng, restoreRng, type RngState, type StatefulRng } from './rng.js';

export const CONTROLLER_KINDS = ['random', 'evolution', 'rl'] as const;
export type ControllerKind = (typeof CONTROLLER_KINDS)[number];

/** A controller of `kind` over `space`; options are validated (unknown keys rejected, paths in errors). */
export async function createController(
  kind: string,
  space: SearchSpace,
  options: unknown,
  seed: string | number,
): Promise<Controller> {
  switch (kind) {
    case 'random':
      return new RandomController(space, options, seed);
    case 'evolution':
      return new EvolutionController(space, options, seed);
    case 'rl':
      return RlController.create(space, options, seed); // imports tfjs on first use

    default:
      throw new OptionsError('controller', [{ path: 'kind', message: `unknown controller "${kind}" (known: ${CONTROLLER_KINDS.join(', ')})` }]);
  }
}
