// What every controller is made of besides its strategy: the space, the parsed options, a seeded rng and
// a ProposalBook, and the frame of state()/load() around them. A subclass adds its own ask/tell and the
// strategy part of its state (strategyState, prepareLoad).
import type { SearchSpace } from '../search-spaces/space.js';
import type { TrialOutcome } from '../src/trial/types.js';
import { type BookState, checkStateHeader, ProposalBook, spaceSignature } from './book.js';
import type { CommonOptions } from './common.js';
import { computeReward, type Reward } from './reward.js';
import { createRng, restoreRng, type RngState, type StatefulRng } from './rng.js';
import type { Controller, ControllerState, Proposal } from './types.js';

export abstract class BookedController<O extends CommonOptions, X = null> implements Controller {
  abstract readonly kind: string;
  protected rng: StatefulRng;
  protected readonly book: ProposalBook<X>;
  /** Warm start: the decision sequences the first proposals are, in order (configuration, not state). */
  private seeds: readonly number[][] = [];

  protected constructor(
    readonly space: SearchSpace,
    readonly options: O,
    seed: string | number,
    /** The state format version; load() refuses any other. */
    private readonly version: number,
  ) {
    this.rng = createRng(seed);
    this.book = new ProposalBook(space);
  }

  abstract ask(): Promise<Proposal>;

  /**
   * Warm start: the first `seeds.length` proposals are these points, in order; they are told like any
   * other proposal (evolution's population takes them in, random search just counts them). Configuration
   * rather than state: a campaign passes the same seeds to every controller it builds, resumed ones too.
   */
  warmStart(seeds: readonly (readonly number[])[]): void {
    for (const d of seeds) this.space.validate(d);
    this.seeds = seeds.map((d) => [...d]);
  }

  /** Hard constraints: a graph for which `why` returns a reason is never proposed (configuration, not state). */
  constrain(why: (graph: Proposal['graph']) => string | undefined): void {
    this.book.constraint = why;
  }

  /** The next warm-start proposal, while seeds are left; every strategy's ask() starts with it. */
  protected nextSeed(): Proposal | undefined {
    if (this.book.next >= this.seeds.length) return undefined;
    const c = this.book.candidate(this.seeds[this.book.next]);
    return this.book.issue(c, this.seedExtra(c.decisions));
  }

  /** What the book keeps with a seed proposal (a strategy that keeps per-proposal data overrides it). */
  protected seedExtra(_decisions: readonly number[]): X {
    return null as X;
  }
  abstract tell(index: number, outcome: TrialOutcome, reward?: Reward): Promise<void>;

  /** The reward the campaign computed for `outcome`, or, driven on its own, this controller's objective's. */
  protected rewardOf(outcome: TrialOutcome, given: Reward | undefined): Reward {
    return given ?? computeReward(outcome, this.options.objective, this.options.rewardForInvalid);
  }

  /** The strategy's own part of state() (JSON-serializable copies), after the common fields. */
  protected abstract strategyState(): Record<string, unknown>;

  /**
   * Checks the strategy's part of a saved state and returns what installs it. It runs after the header
   * and rng checks and before the book is loaded; the returned function runs last.
   */
  protected abstract prepareLoad(state: ControllerState): () => void;

  state(): ControllerState {
    return {
      kind: this.kind,
      version: this.version,
      space: spaceSignature(this.space),
      options: this.options,
      rng: this.rng.state(),
      book: this.book.state(),
      ...this.strategyState(),
    };
  }

  load(state: ControllerState): void {
    checkStateHeader(state, this.kind, this.version, this.space);
    const rng = restoreRng(state.rng as RngState);
    const install = this.prepareLoad(state);
    this.book.load(state.book as BookState<X>);
    this.rng = rng;
    install();
  }
}
