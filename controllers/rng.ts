// Seeded randomness for controllers: seedrandom's ARC4 generator, whose state is plain JSON, so a
// controller saved with state() continues with the very same numbers after load() in a fresh process.
import seedrandom from 'seedrandom';

export type RngState = seedrandom.State.Arc4;
export type StatefulRng = seedrandom.StatefulPRNG<RngState>;

export function createRng(seed: string | number): StatefulRng {
  return seedrandom(String(seed), { state: true });
}

/** A generator that continues exactly where the one whose state() gave `state` stopped. */
export function restoreRng(state: RngState): StatefulRng {
  if (!state || typeof state !== 'object' || !Array.isArray(state.S) || state.S.length !== 256) {
    throw new TypeError('invalid rng state: expected seedrandom ARC4 state { i, j, S[256] }');
  }
  return seedrandom('', { state: { i: state.i, j: state.j, S: [...state.S] } });
}
