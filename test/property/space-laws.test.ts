// The laws every search space obeys (search-spaces/laws.ts), for both spaces under default and other
// options: every sample decodes to a graph parseGraph accepts; every mutation changes exactly one
// decision and still decodes to a valid graph; encode(decode(d)) = d; the same seed gives the same samples.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { getSpace, type SearchSpace } from '../../search-spaces/index.js';
import { spaceLaws } from '../../search-spaces/laws.js';
import type { PyramidGraph } from '../../src/graph/index.js';

const RUNS = 1000;

const SPACES: [string, unknown][] = [
  ['nas-fpn', undefined],
  [
    'nas-fpn',
    { cells: 9, levels: { min: 2, max: 6 }, ops: ['sum', 'attention', 'weighted'], repeats: 3, channels: 32 },
  ],
  // The position-attention ops: cross-attention takes two inputs, self-attention one (after a sum).
  ['nas-fpn', { cells: 6, ops: ['sum', 'self-attention', 'cross-attention'] }],
  // The most cells the fan-in limit allows: an output cell may absorb C<l> and 5 intermediate cells.
  ['nas-fpn', { cells: 10 }],
  ['bifpn-cells', undefined],
  ['bifpn-cells', { cells: 12, levels: { min: 3, max: 5 } }],
];

/** Checks beyond parseGraph: one output per level; bifpn nodes are weighted + sepconv with fan-in 2–3. */
function extraChecks(space: SearchSpace) {
  const { min, max } = (space.options as { levels: { min: number; max: number } }).levels;
  const levels = Array.from({ length: max - min + 1 }, (_, k) => `P${min + k}`).sort();
  return (graph: PyramidGraph) => {
    assert.deepEqual(Object.keys(graph.outputs).sort(), levels);
    if (space.name !== 'bifpn-cells') return;
    for (const n of graph.nodes) {
      assert.equal(n.op, 'weighted');
      assert.equal(n.post, 'sepconv');
      assert.ok(n.inputs.length === 2 || n.inputs.length === 3, 'fan-in 2–3');
    }
  };
}

for (const [name, options] of SPACES) {
  describe(`space laws: ${name} ${options ? JSON.stringify(options) : '(defaults)'}`, () => {
    const space = getSpace(name, options);
    const laws = spaceLaws(space, extraChecks(space));
    test('every sample decodes to a graph that parseGraph accepts', () =>
      fc.assert(laws.sampleDecodes, { numRuns: RUNS }));
    test('every mutation changes exactly one decision and decodes to a valid graph', () =>
      fc.assert(laws.mutationChangesOne, { numRuns: RUNS }));
    test('encode(decode(d)) = d', () => fc.assert(laws.encodeDecode, { numRuns: RUNS }));
    test('the same seed gives the same samples (and a saved rng state continues them)', () =>
      fc.assert(laws.sameSeedSameSamples, { numRuns: RUNS }));
  });
}

test('the laws can fail: a space whose mutation changes two decisions is caught', () => {
  const space = getSpace('nas-fpn');
  const broken: SearchSpace = {
    ...space,
    vocabulary: space.vocabulary,
    sample: (rng) => space.sample(rng),
    decode: (d) => space.decode(d),
    encode: (g) => space.encode(g),
    validate: (d) => space.validate(d),
    size: () => space.size(),
    mutate: (d, rng) => space.mutate(space.mutate(d, rng), rng),
  };
  assert.throws(
    () => fc.assert(spaceLaws(broken).mutationChangesOne, { numRuns: 200 }),
    (e: unknown) => /mutation changed \d+ decisions/.test(`${(e as Error).message} ${String((e as Error).cause)}`),
  );
});
