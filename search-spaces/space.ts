// The search-space contract (docs/search-spaces.md): a space is a fixed-length sequence of categorical decisions
// (the tokens an RL policy emits) plus a decoder into an explicit pyramid-graph. Every sequence whose
// tokens are in range is a valid point of the space, so sampling, mutation and policies never need
// rejection: constraints such as "input 2 differs from input 1" are built into what a token means.
import type { PyramidGraph } from '../src/graph/types.js';
import { PyramidNasError } from '../src/util/errors.js';

/**
 * A source of uniform numbers in [0, 1). Pass a seedrandom PRNG created with
 * `seedrandom(seed, { state: true })` so that its state can be saved and restored.
 */
export type Rng = () => number;

/** One decision position: how many choices it has and a label per choice (for people and logs). */
export interface DecisionSlot {
  /** e.g. `cell2.input1`. */
  name: string;
  /** The number of choices (≥ 1); a token is an integer in [0, size). */
  size: number;
  /** `labels[token]`, e.g. `C4`, `cell1`, `P5`, `attention`. */
  labels: readonly string[];
}

export interface SearchSpace<O = unknown> {
  readonly name: string;
  /** The resolved options (defaults filled in). */
  readonly options: Readonly<O>;
  readonly decisionCount: number;
  /** One slot per decision position, in order. */
  readonly vocabulary: readonly DecisionSlot[];
  /** A uniform random point of the space (each position uniform and independent). */
  sample(rng: Rng): number[];
  /** The explicit graph of a decision sequence; throws SpaceDecisionError when it is out of the space. */
  decode(decisions: readonly number[]): PyramidGraph;
  /**
   * The decisions that decode to this graph (the same nodes in the same order, with the same ops, levels,
   * posts, inputs and outputs; node ids may differ), or undefined when the graph is not a point of the space.
   */
  encode(graph: PyramidGraph): number[] | undefined;
  /** A copy with exactly one decision changed (at a position that has ≥ 2 choices). */
  mutate(decisions: readonly number[], rng: Rng): number[];
  /** The number of distinct decision sequences (several may decode to graphs with the same hash). */
  size(): bigint;
  /** Throws SpaceDecisionError naming the first bad position; returns normally when valid. */
  validate(decisions: readonly number[]): void;
}

/** A decision sequence that is not a point of the space; `position` is the offending index (or -1). */
export class SpaceDecisionError extends PyramidNasError {
  constructor(
    readonly space: string,
    readonly position: number,
    message: string,
  ) {
    super(
      'BAD_DECISIONS',
      `${space}: ${position >= 0 ? `decisions[${position}]: ` : ''}${message}`,
      position >= 0 ? { where: { path: `decisions[${position}]` } } : {},
    );
    this.name = 'SpaceDecisionError';
  }
}

/** A uniform integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** Shared checks: length, integer tokens, each within its slot. */
export function validateAgainstVocabulary(
  space: string,
  vocab: readonly DecisionSlot[],
  decisions: readonly number[],
): void {
  if (!Array.isArray(decisions)) throw new SpaceDecisionError(space, -1, 'decisions must be an array of integers');
  if (decisions.length !== vocab.length) {
    throw new SpaceDecisionError(space, -1, `expected ${vocab.length} decisions, got ${decisions.length}`);
  }
  for (let i = 0; i < vocab.length; i++) {
    const t = decisions[i];
    if (!Number.isInteger(t) || t < 0 || t >= vocab[i].size) {
      throw new SpaceDecisionError(
        space,
        i,
        `${vocab[i].name} must be an integer in [0, ${vocab[i].size}), got ${JSON.stringify(t)}`,
      );
    }
  }
}

/** Uniform sample: every position independent and uniform, hence uniform over all sequences. */
export function sampleVocabulary(vocab: readonly DecisionSlot[], rng: Rng): number[] {
  return vocab.map((slot) => randInt(rng, slot.size));
}

/** Change exactly one position (chosen uniformly among those with ≥ 2 choices) to a different token. */
export function mutateVocabulary(
  space: string,
  vocab: readonly DecisionSlot[],
  decisions: readonly number[],
  rng: Rng,
): number[] {
  validateAgainstVocabulary(space, vocab, decisions);
  const free: number[] = [];
  for (let i = 0; i < vocab.length; i++) if (vocab[i].size >= 2) free.push(i);
  if (free.length === 0) throw new SpaceDecisionError(space, -1, 'the space has a single point; nothing to mutate');
  const pos = free[randInt(rng, free.length)];
  const shift = 1 + randInt(rng, vocab[pos].size - 1); // never 0, so the token changes
  const out = decisions.slice();
  out[pos] = (decisions[pos] + shift) % vocab[pos].size;
  return out;
}

export function vocabularySize(vocab: readonly DecisionSlot[]): bigint {
  return vocab.reduce((acc, slot) => acc * BigInt(slot.size), 1n);
}

/**
 * "Pick one of the candidates except those excluded" encoded as a token: the token indexes the candidate
 * list with the excluded entries removed. Used for input 2 (≠ input 1) and optional extra inputs.
 */
export function pickExcluding(count: number, excluded: readonly number[], token: number): number {
  let seen = -1;
  for (let k = 0; k < count; k++) {
    if (excluded.includes(k)) continue;
    seen++;
    if (seen === token) return k;
  }
  throw new RangeError(`token ${token} out of range for ${count} candidates minus ${excluded.length}`);
}

/** The inverse of pickExcluding: the token for candidate `value`, or -1 if it is excluded. */
export function tokenExcluding(excluded: readonly number[], value: number): number {
  if (excluded.includes(value)) return -1;
  return value - excluded.filter((e) => e < value).length;
}
