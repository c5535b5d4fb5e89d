// For any seed and any sequence of outcomes (complete with any AP, including NaN; failed; invalid),
// random and evolution ask valid, consecutive, never-repeated proposals whose hash is the graph's hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { graphHash, parseGraph } from '../../src/graph/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { createController, type TrialOutcome } from '../../controllers/index.js';

const RUNS = 200; // each run asks 30 proposals (decode + hash + parse each)
const ASKS = 30;

const outcome: fc.Arbitrary<TrialOutcome> = fc.oneof(
  fc.double({ min: -1, max: 2 }).map((AP) => ({
    status: 'complete' as const,
    metrics: { AP, AP50: 0, AP75: 0, APs: 0, APm: 0, APl: 0, params: 0, macs: 1, trainSeconds: 0, evalSeconds: 0, backend: 'x' },
  })),
  fc.constantFrom<TrialOutcome>({ status: 'failed', error: 'e' }, { status: 'invalid', error: 'e' }),
);

for (const kind of ['random', 'evolution']) {
  for (const spaceName of ['nas-fpn', 'bifpn-cells']) {
    test(`${kind} on ${spaceName}: valid, consecutive, deduplicated proposals for any outcomes`, async () => {
      const space = getSpace(spaceName);
      await fc.assert(
        fc.asyncProperty(fc.string(), fc.array(outcome, { minLength: ASKS, maxLength: ASKS }), async (seed, outcomes) => {
          const c = await createController(kind, space, kind === 'evolution' ? { populationSize: 5, sampleSize: 2 } : {}, seed);
          const hashes = new Set<string>();
          for (let k = 0; k < ASKS; k++) {
            const p = await c.ask();
            assert.equal(p.index, k);
            space.validate(p.decisions);
            assert.equal(p.hash, graphHash(p.graph));
            assert.equal(graphHash(space.decode(p.decisions)), p.hash);
            assert.ok(parseGraph(p.graph).ok);
            assert.ok(!hashes.has(p.hash));
            hashes.add(p.hash);
            await c.tell(p.index, outcomes[k]);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
}
