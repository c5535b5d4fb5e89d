// The laws every search space obeys (DESIGN.md §6), for both spaces under default and other options:
// every sample decodes to a graph parseGraph accepts; every mutation changes exactly one decision and
// still decodes to a valid graph; encode(decode(d)) = d; the same seed gives the same samples.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { parseGraph, type PyramidGraph } from '../../src/graph/index.js';
import { getSpace, type SearchSpace } from '../../search-spaces/index.js';

const RUNS = 1000;

const SPACES: [string, unknown][] = [
  ['nas-fpn', undefined],
  ['nas-fpn', { cells: 9, levels: { min: 2, max: 6 }, ops: ['sum', 'attention', 'weighted'], repeats: 3, channels: 32 }],
  // The most cells the fan-in limit allows: an output cell may absorb C<l> and 5 intermediate cells.
  ['nas-fpn', { cells: 10 }],
  ['bifpn-cells', undefined],
  ['bifpn-cells', { cells: 12, levels: { min: 3, max: 5 } }],
];

/** A decision sequence of `space`, drawn by fast-check (so failures shrink and print the seed). */
function arbDecisions(space: SearchSpace): fc.Arbitrary<number[]> {
  return fc.tuple(...space.vocabulary.map((slot) => fc.integer({ min: 0, max: slot.size - 1 })));
}

function assertValidPoint(space: SearchSpace, graph: PyramidGraph): void {
  const r = parseGraph(graph);
  assert.ok(r.ok, `parseGraph rejected a decoded graph: ${r.ok ? '' : JSON.stringify(r.errors)}`);
  const { min, max } = (space.options as { levels: { min: number; max: number } }).levels;
  assert.deepEqual(Object.keys(graph.outputs).sort(), Array.from({ length: max - min + 1 }, (_, k) => `P${min + k}`).sort());
  if (space.name === 'bifpn-cells') {
    for (const n of graph.nodes) {
      assert.equal(n.op, 'weighted');
      assert.equal(n.post, 'sepconv');
      assert.ok(n.inputs.length === 2 || n.inputs.length === 3, 'fan-in 2–3');
    }
  }
}

for (const [name, options] of SPACES) {
  const label = `${name} ${options ? JSON.stringify(options) : '(defaults)'}`;
  describe(`space laws: ${label}`, () => {
    const space = getSpace(name, options);

    test('every sample decodes to a graph that parseGraph accepts', () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const d = space.sample(seedrandom(String(seed), { state: true }));
          space.validate(d);
          assertValidPoint(space, space.decode(d));
        }),
        { numRuns: RUNS },
      );
    });

    test('every mutation changes exactly one decision and decodes to a valid graph', () => {
      fc.assert(
        fc.property(arbDecisions(space), fc.integer(), (d, seed) => {
          const m = space.mutate(d, seedrandom(String(seed)));
          assert.equal(m.filter((t, k) => t !== d[k]).length, 1);
          space.validate(m);
          assertValidPoint(space, space.decode(m));
        }),
        { numRuns: RUNS },
      );
    });

    test('encode(decode(d)) = d', () => {
      fc.assert(
        fc.property(arbDecisions(space), (d) => {
          assert.deepEqual(space.encode(space.decode(d)), d);
        }),
        { numRuns: RUNS },
      );
    });

    test('the same seed gives the same samples (and a saved rng state continues them)', () => {
      fc.assert(
        fc.property(fc.string(), fc.integer({ min: 1, max: 4 }), (seed, n) => {
          const a = seedrandom(seed, { state: true });
          const b = seedrandom(seed, { state: true });
          for (let k = 0; k < n; k++) assert.deepEqual(space.sample(a), space.sample(b));
          const c = seedrandom('', { state: a.state() });
          assert.deepEqual(space.sample(c), space.sample(a));
        }),
        { numRuns: RUNS },
      );
    });
  });
}
