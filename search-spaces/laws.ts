// The laws every search space must obey (docs/search-spaces.md) as fast-check properties, so that the test suite
// and users writing their own spaces check the same things. Not re-exported by search-spaces/index.ts
// (it pulls in fast-check); import it from 'pyramid-nas/testing' or this file.
import fc from 'fast-check';
import seedrandom from 'seedrandom';

import { parseGraph, type PyramidGraph } from '../src/graph/index.js';
import type { SearchSpace } from './space.js';

/** Any point of `space`: one in-range token per position (shrinks towards token 0). */
export function arbDecisions(space: SearchSpace): fc.Arbitrary<number[]> {
  return fc.tuple(...space.vocabulary.map((slot) => fc.integer({ min: 0, max: slot.size - 1 })));
}

function fail(message: string): never {
  throw new Error(message);
}

function assertAccepted(graph: PyramidGraph): void {
  const r = parseGraph(graph);
  if (!r.ok) fail(`parseGraph rejected a decoded graph: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
}

/** The four laws; run each with fc.assert(law, { numRuns }). `extra` adds space-specific checks. */
export function spaceLaws(space: SearchSpace, extra: (graph: PyramidGraph) => void = () => {}) {
  return {
    /** Every sample is valid and decodes to a graph that parseGraph accepts. */
    sampleDecodes: fc.property(fc.integer(), (seed) => {
      const d = space.sample(seedrandom(String(seed), { state: true }));
      space.validate(d);
      const g = space.decode(d);
      assertAccepted(g);
      extra(g);
    }),
    /** A mutation changes exactly one decision and stays a valid, decodable point. */
    mutationChangesOne: fc.property(arbDecisions(space), fc.integer(), (d, seed) => {
      const m = space.mutate(d, seedrandom(String(seed)));
      const changed = m.filter((t, k) => t !== d[k]).length;
      if (changed !== 1 || m.length !== d.length)
        fail(`mutation changed ${changed} decisions (length ${d.length} → ${m.length})`);
      space.validate(m);
      const g = space.decode(m);
      assertAccepted(g);
      extra(g);
    }),
    /** encode(decode(d)) = d. */
    encodeDecode: fc.property(arbDecisions(space), (d) => {
      const back = space.encode(space.decode(d));
      if (!back || back.length !== d.length || back.some((t, k) => t !== d[k]))
        fail(`encode(decode(${JSON.stringify(d)})) = ${JSON.stringify(back)}`);
    }),
    /** The same seed gives the same samples, and a saved generator state continues them. */
    sameSeedSameSamples: fc.property(fc.string(), fc.integer({ min: 1, max: 4 }), (seed, n) => {
      const a = seedrandom(seed, { state: true });
      const b = seedrandom(seed, { state: true });
      const same = (x: number[], y: number[]) => x.length === y.length && x.every((t, k) => t === y[k]);
      for (let k = 0; k < n; k++) if (!same(space.sample(a), space.sample(b))) fail('same seed, different samples');
      const c = seedrandom('', { state: a.state() });
      if (!same(space.sample(c), space.sample(a))) fail('a restored generator state gave different samples');
    }),
  };
}
