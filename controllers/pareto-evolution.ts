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
import { AgingEvolution, type AgingMember, agingOptionFields, sampleSizeWithinPopulation } from './aging.js';
import { commonOptionFields } from './common.js';
import { crowdedCompare, nsgaRanking } from './nsga.js';
import type { Reward } from './reward.js';

export const paretoEvolutionOptionsSchema = z
  .strictObject({
    ...commonOptionFields,
    ...agingOptionFields,
    /** The costs traded against AP: MACs, or MACs and params. */
    objectives: z.enum(['AP-macs', 'AP-macs-params']).default('AP-macs'),
  })
  .refine(...sampleSizeWithinPopulation);
export type ParetoEvolutionOptions = z.output<typeof paretoEvolutionOptionsSchema>;

/** A population member; `valid` false: its AP and costs are not usable (JSON has no Infinity to store). */
interface Member extends AgingMember {
  valid: boolean;
  AP: number;
  macs: number;
  params: number;
}

const VERSION = 1;

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export class ParetoEvolutionController extends AgingEvolution<ParetoEvolutionOptions, Member> {
  readonly kind = 'pareto-evolution';
  /** The population's NSGA-II ranking, during one tournament. */
  private ranking: ReturnType<typeof nsgaRanking> | undefined;

  constructor(space: SearchSpace, options: unknown, seed: string | number) {
    super(space, parseOptions(paretoEvolutionOptionsSchema, options, 'pareto-evolution controller'), seed, VERSION);
  }

  /** A member as a point of minimised objectives; an invalid one is worse than any valid one in each. */
  private point(m: Member): number[] {
    const withParams = this.options.objectives === 'AP-macs-params';
    if (!m.valid) return withParams ? [Infinity, Infinity, Infinity] : [Infinity, Infinity];
    return withParams ? [-m.AP, m.macs, m.params] : [-m.AP, m.macs];
  }

  /** Ranks the population once, then draws: the crowded comparison decides. */
  protected override tournament(): Member {
    this.ranking = nsgaRanking(this.population.map((m) => this.point(m)));
    try {
      return super.tournament();
    } finally {
      this.ranking = undefined;
    }
  }

  /** The lower non-domination rank wins; within a rank, the larger crowding distance. */
  protected better(a: number, b: number): boolean {
    const r = this.ranking!;
    return (
      crowdedCompare({ rank: r.rank[a], crowding: r.crowding[a] }, { rank: r.rank[b], crowding: r.crowding[b] }) < 0
    );
  }

  async tell(index: number, outcome: TrialOutcome, given?: Reward): Promise<void> {
    const entry = this.book.take(index);
    const { valid } = this.rewardOf(outcome, given);
    const m = outcome.metrics;
    const usable = valid && !!m && finite(m.AP) && finite(m.macs) && finite(m.params);
    this.join({
      index,
      decisions: entry.decisions,
      valid: usable,
      AP: usable ? m.AP : 0,
      macs: usable ? m.macs : 0,
      params: usable ? m.params : 0,
    });
  }

  protected checkMember(m: Member): void {
    if (typeof m.valid !== 'boolean' || !finite(m.AP) || !finite(m.macs) || !finite(m.params))
      throw new TypeError(`pareto-evolution state: population member ${m.index} is malformed`);
  }

  protected copyMember(m: Member): Member {
    return { ...m, decisions: [...m.decisions] };
  }
}
