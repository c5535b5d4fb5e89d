// Regularized (aging) evolution (Real et al. 2019, "Regularized Evolution for Image Classifier
// Architecture Search"): until `populationSize` results are in, ask random samples; then pick
// `sampleSize` members of the population at random, mutate the best of them (one decision), and ask the
// child. Every told result joins the population in tell order and the oldest leaves once it holds P.
// Failed/invalid trials join too, with rewardForInvalid, so they lose tournaments but are never dropped.
// Children are deduplicated by graph hash (a few re-draws), falling back to an unseen random sample.
// Defaults P=20, S=5 suit budgets of a few hundred trials; the paper used P=100, S=25 for 20k models.
import { z } from 'zod';

import type { SearchSpace } from '../search-spaces/space.js';
import type { TrialOutcome } from '../src/trial/types.js';
import { parseOptions } from '../src/util/options.js';
import { AgingEvolution, type AgingMember, agingOptionFields, sampleSizeWithinPopulation } from './aging.js';
import { commonOptionFields } from './common.js';
import type { Reward } from './reward.js';

export const evolutionOptionsSchema = z
  .strictObject({ ...commonOptionFields, ...agingOptionFields })
  .refine(...sampleSizeWithinPopulation);
export type EvolutionOptions = z.output<typeof evolutionOptionsSchema>;

interface Member extends AgingMember {
  reward: number;
}

const VERSION = 1;

export class EvolutionController extends AgingEvolution<EvolutionOptions, Member> {
  readonly kind = 'evolution';

  constructor(space: SearchSpace, options: unknown, seed: string | number) {
    super(space, parseOptions(evolutionOptionsSchema, options, 'evolution controller'), seed, VERSION);
  }

  /** The higher reward wins. */
  protected better(a: number, b: number): boolean {
    return this.population[a].reward > this.population[b].reward;
  }

  async tell(index: number, outcome: TrialOutcome, given?: Reward): Promise<void> {
    const entry = this.book.take(index);
    const { reward } = this.rewardOf(outcome, given);
    this.join({ index, decisions: entry.decisions, reward });
  }

  protected checkMember(m: Member): void {
    if (!Number.isFinite(m.reward))
      throw new TypeError(`evolution state: population member ${m.index} has no finite reward`);
  }

  protected copyMember(m: Member): Member {
    return { index: m.index, decisions: [...m.decisions], reward: m.reward };
  }
}
