// Different structures give different hashes: changing one live node's op, post-op or level always
// changes the canonical hash (the multiset of node labels changes, so no relabelling can hide it).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import {
  FUSION_OPS,
  graphHash,
  liveNodeIds,
  MAX_ARITY,
  MIN_ARITY,
  parseGraph,
  POST_OPS,
  type PyramidGraph,
} from '../../src/graph/index.js';
import { arbGraph } from '../../src/testing/index.js';

type Mutation = 'op' | 'post' | 'level';

function mutate(g: PyramidGraph, which: Mutation, pick: number, to: number): PyramidGraph | undefined {
  const live = liveNodeIds(g);
  const outputs = new Set(Object.values(g.outputs));
  const candidates = g.nodes.filter((n) => live.has(n.id) && (which !== 'level' || !outputs.has(n.id)));
  if (candidates.length === 0) return undefined;
  const m = structuredClone(g);
  const node = m.nodes.find((n) => n.id === candidates[pick % candidates.length].id)!;
  if (which === 'post') {
    const others = POST_OPS.filter((p) => p !== node.post);
    node.post = others[to % others.length];
  } else if (which === 'op') {
    const k = node.inputs.length;
    const fits = FUSION_OPS.filter((op) => op !== node.op && k >= MIN_ARITY[op] && k <= MAX_ARITY[op]);
    if (fits.length === 0) return undefined;
    node.op = fits[to % fits.length];
  } else {
    const levels = [];
    for (let l = m.levels.min; l <= m.levels.max; l++) if (l !== node.level) levels.push(l);
    if (levels.length === 0) return undefined;
    node.level = levels[to % levels.length];
  }
  return m;
}

test('one changed op, post-op or level of a live node changes the hash', () => {
  fc.assert(
    fc.property(
      arbGraph(),
      fc.constantFrom<Mutation>('op', 'post', 'level'),
      fc.nat(),
      fc.nat(),
      (g, which, pick, to) => {
        const m = mutate(g, which, pick, to);
        fc.pre(m !== undefined);
        assert.ok(parseGraph(m!).ok);
        assert.notEqual(graphHash(m!), graphHash(g));
      },
    ),
    { numRuns: 1000 },
  );
});

test('changing a dead node never changes the hash', () => {
  fc.assert(
    fc.property(arbGraph(), fc.nat(), (g, pick) => {
      const live = liveNodeIds(g);
      const dead = g.nodes.filter((n) => !live.has(n.id));
      fc.pre(dead.length > 0);
      const m = structuredClone(g);
      const node = m.nodes.find((n) => n.id === dead[pick % dead.length].id)!;
      node.post = node.post === 'conv' ? 'none' : 'conv';
      assert.equal(graphHash(m), graphHash(g));
    }),
    { numRuns: 300 },
  );
});
