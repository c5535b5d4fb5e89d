// What aging evolution (Real et al. 2019) is made of, whatever decides which member is fittest: the
// tournament draw and the ask step. `evolution` compares members by reward, `pareto-evolution` by NSGA-II's
// crowded comparison; both draw and mutate the same way, so their rng use (and resume) stays alike.
import type { SearchSpace } from '../search-spaces/space.js';
import { randInt } from '../search-spaces/space.js';
import type { ProposalBook } from './book.js';
import { sampleUnseen } from './random.js';
import type { StatefulRng } from './rng.js';
import type { Proposal } from './types.js';

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
