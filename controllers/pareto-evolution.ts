// Multi-objective aging evolution: regularized evolution (evolution.ts) whose tournament is decided by
// NSGA-II's crowded comparison (nsga.ts) instead of the reward. Each member is a point (AP, MACs) or
// (AP, MACs, params), AP maximised and costs minimised; the population is ranked by non-dominated sorting
// and, inside a rank, by crowding distance, so tournaments favour the front and spread along it. The
// MACs and params are the ones the trial measured at the proxy's width. A failed or invalid trial, or one
// without finite AP and costs, joins the population behind every valid one (it never wins against them)
// and ages out like any other. Until `populationSize` results are in, proposals are random samples.
import { z } from 'zod';

import type { SearchSpace } from '../search-spaces/space.js';
import type { TrialOutcome } from '../src/trial/types.js';
import { parseOptions } from '../src/util/options.js';
import { agingProposal, tournamentWinner } from './aging.js';
import { BookedController } from './base.js';
import { commonOptionFields } from './common.js';
import { crowdedCompare, nsgaRanking } from './nsga.js';
import type { Reward } from './reward.js';
import type { ControllerState, Proposal } from './types.js';

export const paretoEvolutionOptionsSchema = z
  .strictObject({
    ...commonOptionFields,
    /** P: the population size (and the number of random samples before evolution starts). */
    populationSize: z.int().min(2).max(100_000).default(20),
    /** S: the tournament size (≤ P). */
    sampleSize: z.int().min(1).max(100_000).default(5),
    /** The costs traded against AP: MACs, or MACs and params. */
    objectives: z.enum(['AP-macs', 'AP-macs-params']).default('AP-macs'),
    /** Mutations of tournament winners tried per ask to find an unseen graph before a random fallback. */
    mutationRetries: z.int().min(1).max(10_000).default(20),
    /** Random samples tried (after the mutations) before SPACE_EXHAUSTED. */
    maxRetries: z.int().min(1).max(1_000_000).default(1000),
  })
  .refine((o) => o.sampleSize <= o.populationSize, {
    message: 'sampleSize must be ≤ populationSize',
    path: ['sampleSize'],
  });
export type ParetoEvolutionOptions = z.output<typeof paretoEvolutionOptionsSchema>;

/** A population member; `valid` false: its AP and costs are not usable (JSON has no Infinity to store). */
interface Member {
  index: number;
  decisions: number[];
  valid: boolean;
  AP: number;
  macs: number;
  params: number;
}

const VERSION = 1;

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export class ParetoEvolutionController extends BookedController<ParetoEvolutionOptions> {
  readonly kind = 'pareto-evolution';
  /** Oldest first. */
  private population: Member[] = [];
  private toldCount = 0;

  constructor(space: SearchSpace, options: unknown, seed: string | number) {
    super(space, parseOptions(paretoEvolutionOptionsSchema, options, 'pareto-evolution controller'), seed, VERSION);
  }

  /** A member as a point of minimised objectives; an invalid one is worse than any valid one in each. */
  private point(m: Member): number[] {
    const withParams = this.options.objectives === 'AP-macs-params';
    if (!m.valid) return withParams ? [Infinity, Infinity, Infinity] : [Infinity, Infinity];
    return withParams ? [-m.AP, m.macs, m.params] : [-m.AP, m.macs];
  }

  /** S distinct members drawn uniformly; the best by the crowded comparison (earliest drawn on ties). */
  private tournament(): Member {
    const ranking = nsgaRanking(this.population.map((m) => this.point(m)));
    const key = (k: number) => ({ rank: ranking.rank[k], crowding: ranking.crowding[k] });
    const better = (a: number, b: number) => crowdedCompare(key(a), key(b)) < 0;
    return this.population[tournamentWinner(this.rng, this.population.length, this.options.sampleSize, better)];
  }

  async ask(): Promise<Proposal> {
    const seeded = this.nextSeed();
    if (seeded) return seeded;
    const { book, space, rng, options } = this;
    return agingProposal({ book, space, rng, told: this.toldCount, options }, () => this.tournament().decisions);
  }

  async tell(index: number, outcome: TrialOutcome, given?: Reward): Promise<void> {
    const entry = this.book.take(index);
    const { valid } = this.rewardOf(outcome, given);
    const m = outcome.metrics;
    const usable = valid && !!m && finite(m.AP) && finite(m.macs) && finite(m.params);
    this.population.push({
      index,
      decisions: entry.decisions,
      valid: usable,
      AP: usable ? m.AP : 0,
      macs: usable ? m.macs : 0,
      params: usable ? m.params : 0,
    });
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
    if (!Array.isArray(pop)) throw new TypeError('pareto-evolution state: population must be an array');
    for (const m of pop) {
      this.space.validate(m.decisions);
      if (typeof m.valid !== 'boolean' || !finite(m.AP) || !finite(m.macs) || !finite(m.params))
        throw new TypeError(`pareto-evolution state: population member ${m.index} is malformed`);
    }
    return () => {
      this.population = pop.map((m) => ({ ...m, decisions: [...m.decisions] }));
      this.toldCount = Number(state.toldCount);
    };
  }
}
