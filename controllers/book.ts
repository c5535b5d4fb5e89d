// Bookkeeping every controller shares: proposal indices, the asked-but-not-told proposals (with any
// per-proposal data a strategy needs, e.g. the RL policy's log-probabilities), the hashes already asked,
// and the checks on tell (each index told once, only indices that were asked).
import type { SearchSpace } from '../search-spaces/space.js';
import { graphHash } from '../src/graph/index.js';
import { PyramidNasError } from '../src/util/errors.js';
import type { Proposal } from './types.js';

export type ControllerErrorCode =
  'UNKNOWN_TRIAL' | 'ALREADY_TOLD' | 'SPACE_EXHAUSTED' | 'BAD_STATE' | 'CONSTRAINTS_UNSATISFIABLE';

export class ControllerError extends PyramidNasError {
  declare readonly code: ControllerErrorCode;
  constructor(code: ControllerErrorCode, message: string) {
    super(code, message);
    this.name = 'ControllerError';
  }
}

export interface PendingEntry<X> {
  index: number;
  decisions: number[];
  extra: X;
}

export interface BookState<X> {
  next: number;
  pending: PendingEntry<X>[];
  seen: string[];
}

export class ProposalBook<X = null> {
  next = 0;
  readonly pending = new Map<number, PendingEntry<X>>();
  /** graphHash of every proposal asked so far (for deduplication). */
  readonly seen = new Set<string>();
  /**
   * The campaign's hard constraints (src/campaign/constraints.ts): why a graph may not be proposed, or
   * undefined when it may. Configuration, not state: set again whenever a controller is built.
   */
  constraint: ((graph: Proposal['graph']) => string | undefined) | undefined;

  constructor(readonly space: SearchSpace) {}

  /** Why the candidate breaks the constraints, or undefined. */
  overLimit(c: { graph: Proposal['graph'] }): string | undefined {
    return this.constraint?.(c.graph);
  }

  /** A candidate that may be proposed: not asked before and within the constraints. */
  admits(c: { graph: Proposal['graph']; hash: string }): boolean {
    return !this.seen.has(c.hash) && this.overLimit(c) === undefined;
  }

  /** Decodes and hashes a candidate (no state change). */
  candidate(decisions: number[]): { decisions: number[]; graph: Proposal['graph']; hash: string } {
    const graph = this.space.decode(decisions);
    return { decisions, graph, hash: graphHash(graph) };
  }

  /** Records a proposal as asked and returns it. */
  issue(c: { decisions: number[]; graph: Proposal['graph']; hash: string }, extra: X): Proposal {
    const index = this.next++;
    this.pending.set(index, { index, decisions: c.decisions, extra });
    this.seen.add(c.hash);
    return { index, decisions: [...c.decisions], graph: c.graph, hash: c.hash };
  }

  /** Removes and returns the pending entry of `index`; throws if it was never asked or already told. */
  take(index: number): PendingEntry<X> {
    const entry = this.pending.get(index);
    if (entry) {
      this.pending.delete(index);
      return entry;
    }
    if (!Number.isInteger(index) || index < 0 || index >= this.next) {
      throw new ControllerError(
        'UNKNOWN_TRIAL',
        `tell(${index}): no proposal with that index was asked (asked 0..${this.next - 1})`,
      );
    }
    throw new ControllerError('ALREADY_TOLD', `tell(${index}): that proposal was already told`);
  }

  state(): BookState<X> {
    return { next: this.next, pending: [...this.pending.values()], seen: [...this.seen] };
  }

  load(s: BookState<X>): void {
    if (!s || !Number.isInteger(s.next) || !Array.isArray(s.pending) || !Array.isArray(s.seen)) {
      throw new ControllerError('BAD_STATE', 'controller state: expected { next, pending[], seen[] }');
    }
    for (const p of s.pending) this.space.validate(p.decisions); // before changing anything
    this.next = s.next;
    this.pending.clear();
    for (const p of s.pending)
      this.pending.set(p.index, { index: p.index, decisions: [...p.decisions], extra: p.extra });
    this.seen.clear();
    for (const h of s.seen) this.seen.add(h);
  }
}

/** What state() of every controller starts with, and the check load() makes against it. */
export function spaceSignature(space: SearchSpace): { name: string; sizes: number[] } {
  return { name: space.name, sizes: space.vocabulary.map((v) => v.size) };
}

export function checkStateHeader(
  state: Record<string, unknown>,
  kind: string,
  version: number,
  space: SearchSpace,
): void {
  if (state.kind !== kind)
    throw new ControllerError('BAD_STATE', `controller state: kind is "${String(state.kind)}", expected "${kind}"`);
  if (state.version !== version)
    throw new ControllerError(
      'BAD_STATE',
      `controller state: version ${String(state.version)} is not supported (expected ${version})`,
    );
  const sig = spaceSignature(space);
  const got = state.space as { name?: unknown; sizes?: unknown } | undefined;
  if (!got || got.name !== sig.name || JSON.stringify(got.sizes) !== JSON.stringify(sig.sizes)) {
    throw new ControllerError(
      'BAD_STATE',
      `controller state: it was saved for another space (${JSON.stringify(got?.name)}) or other space options`,
    );
  }
}
