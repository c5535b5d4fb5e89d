// Random search: uniform samples of the space, deduplicated by canonical graph hash. After `maxRetries`
// consecutive samples that were all already asked, the space is considered exhausted (a clear error).
import { z } from 'zod';

import type { SearchSpace } from '../search-spaces/space.js';
import type { TrialOutcome } from '../src/trial/types.js';
import { parseOptions } from '../src/util/options.js';
import { BookedController } from './base.js';
import { ControllerError, type ProposalBook } from './book.js';
import { commonOptionFields } from './common.js';
import type { Reward } from './reward.js';
import type { StatefulRng } from './rng.js';
import type { ControllerState, Proposal } from './types.js';

export const randomOptionsSchema = z.strictObject({
  ...commonOptionFields,
  /** Samples tried per ask before giving up with SPACE_EXHAUSTED. */
  maxRetries: z.int().min(1).max(1_000_000).default(1000),
});
export type RandomOptions = z.output<typeof randomOptionsSchema>;

const VERSION = 1;

/**
 * Draws a not-yet-asked point within the constraints. After `retries` draws in a row that were all
 * already asked, throws SPACE_EXHAUSTED; when every one of them was over the constraints,
 * CONSTRAINTS_UNSATISFIABLE (the constraints leave too little of the space to find by sampling).
 */
export function sampleUnseen(book: ProposalBook<unknown>, space: SearchSpace, rng: StatefulRng, retries: number) {
  let over = 0;
  let why: string | undefined;
  for (let attempt = 0; attempt < retries; attempt++) {
    const c = book.candidate(space.sample(rng));
    const reason = book.overLimit(c);
    if (reason !== undefined) {
      over++;
      why = reason;
    } else if (!book.seen.has(c.hash)) return c;
  }
  if (over === retries)
    throw new ControllerError(
      'CONSTRAINTS_UNSATISFIABLE',
      `constraints: ${retries} random samples in a row were all over the limit (the last: ${why}); loosen "constraints" or narrow the space`,
    );
  throw new ControllerError(
    'SPACE_EXHAUSTED',
    `space exhausted: ${retries} random samples in a row were all already asked${over ? ` or over the constraints (${over} over)` : ''} (${book.seen.size} distinct graphs asked so far)`,
  );
}

export class RandomController extends BookedController<RandomOptions> {
  readonly kind = 'random';
  /** Counts of told outcomes; random search learns nothing, but it tracks what it was told. */
  private told = { complete: 0, failed: 0, invalid: 0, best: null as number | null };

  constructor(space: SearchSpace, options: unknown, seed: string | number) {
    super(space, parseOptions(randomOptionsSchema, options, 'random controller'), seed, VERSION);
  }

  async ask(): Promise<Proposal> {
    const seeded = this.nextSeed();
    if (seeded) return seeded;
    return this.book.issue(sampleUnseen(this.book, this.space, this.rng, this.options.maxRetries), null);
  }

  async tell(index: number, outcome: TrialOutcome, given?: Reward): Promise<void> {
    this.book.take(index);
    this.told[outcome.status]++;
    const r = this.rewardOf(outcome, given);
    if (r.valid && (this.told.best === null || r.reward > this.told.best)) this.told.best = r.reward;
  }

  protected strategyState(): Record<string, unknown> {
    return { told: { ...this.told } };
  }

  protected prepareLoad(state: ControllerState): () => void {
    return () => {
      this.told = { ...(state.told as typeof this.told) };
    };
  }
}
