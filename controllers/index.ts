// Controllers (docs/controllers.md): the `controllers` registry maps a kind to its options schema and
// constructor; createController(kind, space, options, seed) validates the options (unknown keys rejected,
// paths in errors) and builds one. A third-party controller plugs in with controllers.register(kind, entry).
// The RL controller imports tfjs lazily (in RlController.create), so importing this module stays cheap.
import type { SearchSpace } from '../search-spaces/space.js';
import { Registry } from '../src/util/registry.js';
import { EvolutionController, evolutionOptionsSchema } from './evolution.js';
import { ParetoEvolutionController, paretoEvolutionOptionsSchema } from './pareto-evolution.js';
import { RandomController, randomOptionsSchema } from './random.js';
import { RlController, rlOptionsSchema } from './rl.js';
import type { Controller } from './types.js';

export * from './types.js';
export {
  computeReward,
  objectiveSchema,
  campaignObjectiveSchema,
  rewardForInvalidSchema,
  type Objective,
  type ObjectiveInput,
  type CampaignObjective,
  type Reward,
} from './reward.js';
export { ControllerError } from './book.js';
export { RandomController, randomOptionsSchema, type RandomOptions } from './random.js';
export { EvolutionController, evolutionOptionsSchema, type EvolutionOptions } from './evolution.js';
export { RlController, rlOptionsSchema, type RlOptions } from './rl.js';
export {
  ParetoEvolutionController,
  paretoEvolutionOptionsSchema,
  type ParetoEvolutionOptions,
} from './pareto-evolution.js';
export { nonDominatedRanks, crowdingDistances, nsgaRanking, crowdedCompare, dominatesMin } from './nsga.js';
export { createRng, restoreRng, type RngState, type StatefulRng } from './rng.js';

/** What a controller is built over, besides its options. */
export interface ControllerContext {
  space: SearchSpace;
  /** The campaign seed: the same seed, space and options give the same proposals. */
  seed: string | number;
}

/** Every controller by kind; register yours here to use it in campaign files (`controller.kind`). */
export const controllers = new Registry<Controller | Promise<Controller>, ControllerContext>({
  what: 'controller',
  nameKey: 'kind',
})
  .register('random', {
    description: 'uniform samples of the space, deduplicated by graph hash',
    optionsSchema: randomOptionsSchema,
    create: (o, { space, seed }) => new RandomController(space, o, seed),
  })
  .register('evolution', {
    description: 'regularized (aging) evolution: tournament selection, one-decision mutations',
    optionsSchema: evolutionOptionsSchema,
    create: (o, { space, seed }) => new EvolutionController(space, o, seed),
  })
  .register('pareto-evolution', {
    description: 'aging evolution with NSGA-II selection (non-dominated sort, crowding distance) on AP against MACs',
    optionsSchema: paretoEvolutionOptionsSchema,
    create: (o, { space, seed }) => new ParetoEvolutionController(space, o, seed),
  })
  .register('rl', {
    description: 'an LSTM policy trained with PPO on the rewards (loads TensorFlow.js on first use)',
    optionsSchema: rlOptionsSchema,
    create: (o, { space, seed }) => RlController.create(space, o, seed),
  });

/** The built-in kinds (controllers.names() also lists those registered since). */
export const CONTROLLER_KINDS = ['random', 'evolution', 'pareto-evolution', 'rl'] as const;
export type ControllerKind = (typeof CONTROLLER_KINDS)[number];

/** A controller of `kind` over `space`; options are validated (unknown keys rejected, paths in errors). */
export async function createController(
  kind: string,
  space: SearchSpace,
  options: unknown,
  seed: string | number,
): Promise<Controller> {
  return controllers.create(kind, options, { space, seed });
}
