// Projection onto a level range (src/graph/project.ts): every projection of a valid graph onto a sub-range
// is valid, keeps only live nodes on that range, and is the identity on the graph's own range;
// FPN and PAFPN project onto exactly the smaller-range designs. fast-check prints the seed on failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import { getSpace } from '../../search-spaces/index.js';
import {
  graphHash,
  liveNodeIds,
  projectGraph,
  type PyramidGraph,
  resolveGraphSpec,
  zooNames,
} from '../../src/graph/index.js';
import { arbGraph } from '../../src/testing/index.js';

/** A graph with a sub-range of its levels. */
const arbGraphAndRange = arbGraph().chain((g) =>
  fc
    .tuple(fc.integer({ min: g.levels.min, max: g.levels.max }), fc.integer({ min: g.levels.min, max: g.levels.max }))
    .map(([a, b]) => ({ graph: g, levels: { min: Math.min(a, b), max: Math.max(a, b) } })),
);

function assertOnRange(p: PyramidGraph, levels: { min: number; max: number }) {
  assert.deepEqual(p.levels, levels);
  assert.deepEqual(
    Object.keys(p.outputs).sort(),
    Array.from({ length: levels.max - levels.min + 1 }, (_, i) => `P${levels.min + i}`).sort(),
  );
  for (const n of p.nodes) {
    assert.ok(n.level >= levels.min && n.level <= levels.max, `${n.id} at level ${n.level}`);
    for (const ref of n.inputs) {
      const m = /^C(\d+)$/.exec(ref);
      if (m) assert.ok(Number(m[1]) >= levels.min && Number(m[1]) <= levels.max, `${n.id} reads ${ref}`);
    }
  }
  assert.equal(liveNodeIds(p).size, p.nodes.length, 'no dead nodes');
}

test('any valid graph projects onto any sub-range of its levels: valid, in range, no dead nodes', () => {
  fc.assert(
    fc.property(arbGraphAndRange, ({ graph, levels }) => {
      assertOnRange(projectGraph(graph, { levels }), levels);
    }),
    { numRuns: 500 },
  );
});

test('on its own range, projection keeps the function (same canonical hash); channels are replaced', () => {
  fc.assert(
    fc.property(arbGraph(), fc.integer({ min: 1, max: 512 }), (graph, channels) => {
      const p = projectGraph(graph, { levels: graph.levels });
      assert.equal(graphHash(p), graphHash(graph));
      assert.equal(projectGraph(graph, { levels: graph.levels, channels }).channels, channels);
    }),
    { numRuns: 300 },
  );
});

test('samples of the nas-fpn space over P3–P7 project onto P3–P5 and P4–P6', () => {
  const space = getSpace('nas-fpn', { levels: { min: 3, max: 7 } });
  fc.assert(
    fc.property(fc.array(fc.nat(), { minLength: space.decisionCount, maxLength: space.decisionCount }), (raw) => {
      const graph = space.decode(raw.map((v, i) => v % space.vocabulary[i].size));
      for (const levels of [
        { min: 3, max: 5 },
        { min: 4, max: 6 },
      ])
        assertOnRange(projectGraph(graph, { levels }), levels);
    }),
    { numRuns: 200 },
  );
});

test('every zoo graph projects onto P3–P5; FPN and PAFPN become exactly their P3–P5 designs', async () => {
  for (const name of zooNames()) {
    const g = await resolveGraphSpec(name);
    assertOnRange(projectGraph(g, { levels: { min: 3, max: 5 } }), { min: 3, max: 5 });
  }
  const fpn = projectGraph(await resolveGraphSpec('zoo:fpn'), { levels: { min: 3, max: 5 } });
  assert.deepEqual(
    fpn.nodes.map((n) => [n.id, n.level, n.inputs.join('+')]),
    [
      ['m4', 4, 'C4+C5'],
      ['p3', 3, 'C3+m4'],
      ['p4', 4, 'm4'],
      ['p5', 5, 'C5'],
    ],
  );
  const pafpn = projectGraph(await resolveGraphSpec('pafpn'), { levels: { min: 3, max: 5 } });
  assert.deepEqual(pafpn.outputs, { P3: 'p3', P4: 'n4', P5: 'n5' });
  assert.deepEqual(pafpn.nodes.find((n) => n.id === 'n5')?.inputs, ['p5', 'n4']);
  assert.equal(fpn.name, 'fpn-p3p5');
  assert.deepEqual(fpn.meta?.projectedFrom, { name: 'fpn', levels: { min: 3, max: 7 }, channels: 256 });
});

test('a range the graph does not cover, or a bad spec, is a usage error that says why', async () => {
  const fpn = await resolveGraphSpec('fpn');
  assert.throws(
    () => projectGraph(fpn, { levels: { min: 2, max: 5 } }),
    (e: Error & { code?: string; usage?: boolean }) =>
      e.code === 'PROJECTION' && e.usage === true && /covers P3–P7.*P2–P5/.test(e.message),
  );
  await assert.rejects(resolveGraphSpec('zoo:nope'), /no zoo graph "nope" \(known: .*fpn/);
  await assert.rejects(resolveGraphSpec('./missing.graph.json'), /missing\.graph\.json.*cannot read/);
});
