// Reusable laws for anything that produces pyramid graphs (search spaces, mutations, controllers): call
// them from a test with your own arbitrary. Each throws fast-check's report (seed + counterexample).
import fc from 'fast-check';

import { graphHash } from '../graph/canonical.js';
import { formatIssue } from '../graph/issues.js';
import type { PyramidGraph } from '../graph/types.js';
import { parseGraph } from '../graph/validate.js';

/** Every sample is a valid pyramid-graph/1 document. */
export function assertEverySampleParses(
  arb: fc.Arbitrary<PyramidGraph>,
  params: fc.Parameters<[PyramidGraph]> = {},
): void {
  fc.assert(
    fc.property(arb, (g) => {
      const r = parseGraph(g);
      if (!r.ok) throw new Error(`invalid graph: ${r.errors.map(formatIssue).join('; ')}`);
    }),
    { numRuns: 1000, ...params },
  );
}

/** `transform` (given a seed) never changes the canonical hash. */
export function assertHashInvariant(
  arb: fc.Arbitrary<PyramidGraph>,
  transform: (g: PyramidGraph, seed: number) => PyramidGraph,
  params: fc.Parameters<[PyramidGraph, number]> = {},
): void {
  fc.assert(
    fc.property(arb, fc.nat(), (g, seed) => graphHash(transform(g, seed)) === graphHash(g)),
    { numRuns: 1000, ...params },
  );
}
