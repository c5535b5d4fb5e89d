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
import { agingProposal, tournamentWinner } from './aging.js';
import { BookedController } from './base.js';
import { commonOptionFields } from './common.js';
import type { Reward } from './reward.js';
import type { ControllerState, Proposal } from './types.js';

export const evolutionOptionsSchema = z
  .strictObject({
    ...commonOptionFields,
    /** P: the population size (and the number of random samples before evolution starts). */
    populationSize: z.int().min(2).max(100_000).default(20),
    /** S: the tournament size (≤ P). */
    sampleSize: z.int().min(1).max(100_000).default(5),
    /** Mutations of tournament winners tried per ask to find an unseen graph before a random fallback. */
    mutationRetries: z.int().min(1).max(10_000).default(20),
    /** Random samples tried (after the mutations) before SPACE_EXHAUSTED. */
    maxRetries: z.int().min(1).max(1_000_000).default(1000),
  })
  .refine((o) => o.sampleSize <= o.populationSize, {
    message: 'sampleSize must be ≤ populationSize',
    path: ['sampleSize'],
  });
export type EvolutionOptions = z.output<typeof evolutionOptionsSchema>;

interface Member {
  index: number;
  decisions: number[];
  reward: number;
}

const VERSION = 1;

export class EvolutionController extends BookedController<EvolutionOptions> {
  readonly kind = 'evolution';
  /** Oldest first. */
  private population: Member[] = [];
  private toldCount = 0;

  constructor(space: SearchSpace, options: unknown, seed: string | number) {
    super(space, parseOptions(evolutionOptionsSchema, options, 'evolution controller'), seed, VERSION);
  }

  /** S distinct members drawn uniformly; the one with the highest reward (earliest drawn on ties). */
  private tournament(): Member {
    const pop = this.population;
    return pop[
      tournamentWinner(this.rng, pop.length, this.options.sampleSize, (a, b) => pop[a].reward > pop[b].reward)
    ];
  }

  async ask(): Promise<Proposal> {
    const seeded = this.nextSeed();
    if (seeded) return seeded;
    const { book, space, rng, options } = this;
    return agingProposal({ book, space, rng, told: this.toldCount, options }, () => this.tournament().decisions);
  }

  async tell(index: number, outcome: TrialOutcome, given?: Reward): Promise<void> {
    const entry = this.book.take(index);
    const { reward } = this.rewardOf(outcome, given);
    this.population.push({ index, decisions: entry.decisions, reward });
    if (this.population.length > this.options.populationSize) this.population.shift(); // aging: the oldest dies
    this.toldCount++;
  }

  protected strategyState(): Record<string, unknown> {
    return {
      population: this.population.map((m) => ({ ...m, decisions: [...m.decisions] })),
      toldCount: this.toldCount,
    };
  }

  protected prepareLoad(state: ControllerState): () => void {
    const pop = state.population as Member[];
    if (!Array.isArray(pop)) throw new TypeError('evolution state: population must be an array');
    for (const m of pop) {
      this.space.validate(m.decisions);
      if (!Number.isFinite(m.reward))
        throw new TypeError(`evolution state: population member ${m.index} has no finite reward`);
    }
    return () => {
      this.population = pop.map((m) => ({ index: m.index, decisions: [...m.decisions], reward: m.reward }));
      this.toldCount = Number(state.toldCount);
    };
  }
}
