// What aging evolution (Real et al. 2019) is made of, whatever decides which member is fittest: the
// tournament draw and the ask step. `evolution` compares members by reward, `pareto-evolution` by NSGA-II's
// crowded comparison; both draw and mutate the same way, so their rng use (and resume) stays alike.
import { z } from 'zod';

import type { SearchSpace } from '../search-spaces/space.js';
import { randInt } from '../search-spaces/space.js';
import { BookedController } from './base.js';
import type { ProposalBook } from './book.js';
import type { CommonOptions } from './common.js';
import { sampleUnseen } from './random.js';
import type { StatefulRng } from './rng.js';
import type { ControllerState, Proposal } from './types.js';

/**
 * `sampleSize` distinct members of 0..count−1 drawn uniformly (a partial Fisher–Yates shuffle); returns the
 * one `better(a, b)` prefers, the earliest drawn on ties.
 */
export function tournamentWinner(
  rng: StatefulRng,
  count: number,
  sampleSize: number,
  better: (a: number, b: number) => boolean,
): number {
  const pool = Array.from({ length: count }, (_, k) => k);
  const s = Math.min(sampleSize, count);
  let best = -1;
  for (let k = 0; k < s; k++) {
    const j = k + randInt(rng, count - k);
    [pool[k], pool[j]] = [pool[j], pool[k]];
    if (best < 0 || better(pool[k], best)) best = pool[k];
  }
  return best;
}

export interface AgingOptions {
  populationSize: number;
  mutationRetries: number;
  maxRetries: number;
}

/**
 * One ask once the seeds are used: after `populationSize` tells, a mutation of the tournament winner's
 * decisions (up to `mutationRetries` draws to find one not yet proposed); before that, or when every
 * mutation was a repeat, an unseen random sample.
 */
export function agingProposal(
  p: { book: ProposalBook; space: SearchSpace; rng: StatefulRng; told: number; options: AgingOptions },
  parent: () => readonly number[],
): Proposal {
  const { book, space, rng, options } = p;
  if (p.told >= options.populationSize) {
    for (let attempt = 0; attempt < options.mutationRetries; attempt++) {
      const c = book.candidate(space.mutate(parent(), rng));
      if (book.admits(c)) return book.issue(c, null);
    }
  }
  return book.issue(sampleUnseen(book, space, rng, options.maxRetries), null);
}

/** The options every aging evolution takes (besides the common ones). */
export const agingOptionFields = {
  /** P: the population size (and the number of random samples before evolution starts). */
  populationSize: z.int().min(2).max(100_000).default(20),
  /** S: the tournament size (≤ P). */
  sampleSize: z.int().min(1).max(100_000).default(5),
  /** Mutations of tournament winners tried per ask to find an unseen graph before a random fallback. */
  mutationRetries: z.int().min(1).max(10_000).default(20),
  /** Random samples tried (after the mutations) before SPACE_EXHAUSTED. */
  maxRetries: z.int().min(1).max(1_000_000).default(1000),
};

/** S ≤ P, reported at `sampleSize` (the arguments of zod's refine). */
export const sampleSizeWithinPopulation: [
  (o: { sampleSize: number; populationSize: number }) => boolean,
  { message: string; path: string[] },
] = [(o) => o.sampleSize <= o.populationSize, { message: 'sampleSize must be ≤ populationSize', path: ['sampleSize'] }];

/** A member of the population: the proposal it came from, and what the strategy keeps of its outcome. */
export interface AgingMember {
  index: number;
  decisions: number[];
}

/**
 * Aging evolution around a fitness comparison: seeds first, then mutations of tournament winners; each
 * told proposal joins the population and the oldest member dies once there are more than P. Subclasses say
 * which member wins a tournament, what a member keeps, and how a stored member is checked.
 */
export abstract class AgingEvolution<
  O extends CommonOptions & AgingOptions & { sampleSize: number },
  M extends AgingMember,
> extends BookedController<O> {
  /** Oldest first. */
  protected population: M[] = [];
  protected toldCount = 0;

  /** True when population member a is fitter than member b (indices into the population). */
  protected abstract better(a: number, b: number): boolean;
  /** Throws a TypeError naming the controller when a stored member is malformed. */
  protected abstract checkMember(m: M): void;
  /** A fresh copy of a stored member with exactly its fields. */
  protected abstract copyMember(m: M): M;

  /** S distinct members drawn uniformly; the one `better` prefers (earliest drawn on ties). */
  protected tournament(): M {
    const pop = this.population;
    return pop[tournamentWinner(this.rng, pop.length, this.options.sampleSize, (a, b) => this.better(a, b))];
  }

  async ask(): Promise<Proposal> {
    const seeded = this.nextSeed();
    if (seeded) return seeded;
    const { book, space, rng, options } = this;
    return agingProposal({ book, space, rng, told: this.toldCount, options }, () => this.tournament().decisions);
  }

  /** A told proposal joins the population; past P members, the oldest dies. */
  protected join(member: M): void {
    this.population.push(member);
    if (this.population.length > this.options.populationSize) this.population.shift();
    this.toldCount++;
  }

  protected strategyState(): Record<string, unknown> {
    return {
      population: this.population.map((m) => ({ ...m, decisions: [...m.decisions] })),
      toldCount: this.toldCount,
    };
  }

  protected prepareLoad(state: ControllerState): () => void {
    const pop = state.population as M[];
    if (!Array.isArray(pop)) throw new TypeError(`${this.kind} state: population must be an array`);
    for (const m of pop) {
      this.space.validate(m.decisions);
      this.checkMember(m);
    }
    return () => {
      this.population = pop.map((m) => this.copyMember(m));
      this.toldCount = Number(state.toldCount);
    };
  }
}
