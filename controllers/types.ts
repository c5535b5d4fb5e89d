// The one interface every search strategy implements (DESIGN.md §8): ask → Proposal, tell → learn.
import type { PyramidGraph } from '../src/graph/types.js';

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

export type TrialStatus = 'complete' | 'failed' | 'invalid';

/** What a trial measured (COCO-style AP on the held-out split, plus costs). */
export interface TrialMetrics {
  AP: number;
  AP50: number;
  AP75: number;
  APs: number;
  APm: number;
  APl: number;
  params: number;
  macs: number;
  trainSeconds: number;
  evalSeconds: number;
  backend: string;
  [extra: string]: number | string;
}

/** The outcome the campaign tells a controller. `metrics` is present exactly when status is 'complete'. */
export interface TrialOutcome {
  status: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
}

/** JSON-serializable controller state: everything needed to continue in a fresh process. */
export type ControllerState = { kind: string; version: number } & Record<string, unknown>;

export interface Controller {
  readonly kind: string;
  /** Next proposal. Deterministic given the seed and the outcomes told so far. */
  ask(): Promise<Proposal>;
  /** Report the outcome of proposal `index`. Each index is told at most once; order may differ from ask order. */
  tell(index: number, outcome: TrialOutcome): Promise<void>;
  state(): ControllerState;
  load(state: ControllerState): void;
}
