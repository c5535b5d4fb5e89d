// Random search: uniform samples of the space, deduplicated by canonical graph hash. After `maxRetries`
// consecutive samples that were all already asked, the space is considered exhausted (a clear error).
import { z } from 'zod';
import type { SearchSpace } from '../search-spaces/space.js';
import { parseOptions } from '../search-spaces/options.js';
import { ControllerError, checkStateHeader, ProposalBook, spaceSignature, type BookState } from './book.js';
import { commonOptionFields } from './common.js';
import { computeReward } from './reward.js';
import { createRng, restoreRng, type RngState, type StatefulRng } from './rng.js';
import type { Controller, ControllerState, Proposal, TrialOutcome } from './types.js';

export const randomOptionsSchema = z.strictObject({
  ...commonOptionFields,
  /** Samples tried per ask before giving up with SPACE_EXHAUSTED. */
  maxRetries: z.int().min(1).max(1_000_000).default(1000),
});
export type RandomOptions = z.output<typeof randomOptionsSchema>;

const VERSION = 1;

/** Draws a not-yet-asked point, or throws SPACE_EXHAUSTED after `retries` duplicates in a row. */
export function sampleUnseen(book: ProposalBook<unknown>, space: SearchSpace, rng: StatefulRng, retries: number) {
  for (let attempt = 0; attempt < retries; attempt++) {
    const c = book.candidate(space.sample(rng));
    if (!book.seen.has(c.hash)) return c;
  }
  throw new ControllerError(
    'SPACE_EXHAUSTED',
    `space exhausted: ${retries} random samples in a row were all already asked (${book.seen.size} distinct graphs asked so far)`,
  );
}

export class RandomController implements Controller {
  readonly kind = 'random';
  readonly options: RandomOptions;
  private rng: StatefulRng;
  private readonly book: ProposalBook<null>;
  /** Counts of told outcomes; random search learns nothing, but it tracks what it was told. */
  private told = { complete: 0, failed: 0, invalid: 0, best: null as number | null };

  constructor(
    readonly space: SearchSpace,
    options: unknown,
    seed: string | number,
  ) {
    this.options = parseOptions(randomOptionsSchema, options, 'random controller');
    this.rng = createRng(seed);
    this.book = new ProposalBook(space);
  }

  async ask(): Promise<Proposal> {
    return this.book.issue(sampleUnseen(this.book, this.space, this.rng, this.options.maxRetries), null);
  }

  async tell(index: number, outcome: TrialOutcome): Promise<void> {
    this.book.take(index);
    this.told[outcome.status]++;
    const r = computeReward(outcome, this.options.objective, this.options.rewardForInvalid);
    if (r.valid && (this.told.best === null || r.reward > this.told.best)) this.told.best = r.reward;
  }

  state(): ControllerState {
    return {
      kind: this.kind,
      version: VERSION,
      space: spaceSignature(this.space),
      options: this.options,
      rng: this.rng.state(),
      book: this.book.state(),
      told: { ...this.told },
    };
  }

  load(state: ControllerState): void {
    checkStateHeader(state, this.kind, VERSION, this.space);
    const rng = restoreRng(state.rng as RngState);
    this.book.load(state.book as BookState<null>);
    this.rng = rng;
    this.told = { ...(state.told as typeof this.told) };
  }
}
