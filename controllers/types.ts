// The one interface every search strategy implements (docs/controllers.md): ask → Proposal, tell → learn.
// What a controller is told (TrialOutcome) is part of the trial contract (src/trial/types.ts).
import type { PyramidGraph } from '../src/graph/types.js';
import type { TrialOutcome } from '../src/trial/types.js';
import type { Reward } from './reward.js';

/** One point of a search space as the controller chose it. */
export interface Proposal {
  /** 0-based, in ask order; the campaign turns it into the trial id `<campaign>-<index>`. */
  index: number;
  /** The space's decision sequence (token ids); the space decodes it into `graph`. */
  decisions: number[];
  graph: PyramidGraph;
  /** graphHash(graph): canonical, used to deduplicate trials. */
  hash: string;
}

/** JSON-serializable controller state: everything needed to continue in a fresh process. */
export type ControllerState = { kind: string; version: number } & Record<string, unknown>;

export interface Controller {
  readonly kind: string;
  /** Next proposal. Deterministic given the seed and the outcomes told so far. */
  ask(): Promise<Proposal>;
  /**
   * Report the outcome of proposal `index`. Each index is told at most once; order may differ from ask order.
   * `reward` is the campaign's reward for the outcome (computed once, with the campaign's objective, and
   * journaled with it); without it (a controller driven on its own) the controller computes it from its
   * `objective` and `rewardForInvalid` options, which give the same value.
   */
  tell(index: number, outcome: TrialOutcome, reward?: Reward): Promise<void>;
  state(): ControllerState;
  load(state: ControllerState): void;
  /**
   * Optional, warm start (docs/controllers.md): the first `seeds.length` proposals are these decision
   * sequences, in order, told like any other. Called before the first ask and before load(); a campaign
   * with `seedGraphs` refuses a controller without it.
   */
  warmStart?(seeds: readonly (readonly number[])[]): void;
  /**
   * Optional, hard constraints: never propose a graph for which `why` gives a reason. A campaign with
   * `constraints` refuses a controller without it (and checks every proposal again).
   */
  constrain?(why: (graph: Proposal['graph']) => string | undefined): void;
}
