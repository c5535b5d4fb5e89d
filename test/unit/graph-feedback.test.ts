// The feedback construct of pyramid-graph/1: what validation refuses (each with its code and JSON path),
// that the canonical hash sees which node feeds which level (and nothing else changes for graphs without
// feedback), and that a node read only by feedback is live.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { graphHash, liveNodeIds, parseGraph, type PyramidGraph } from '../../src/graph/index.js';
import { renameIds } from '../../src/testing/index.js';
import { graph, n } from './graph-fixtures.js';

const base = (): PyramidGraph =>
  graph([n('a', 4, 'sum', ['C4'], 'conv'), n('b', 3, 'sum', ['C3', 'a'], 'conv'), n('side', 3, 'sum', ['b'], 'none')], {
    P3: 'b',
    P4: 'a',
  });
const fed = (feedback: unknown): unknown => ({ ...base(), feedback });

function errors(input: unknown): string[] {
  const r = parseGraph(input);
  return r.ok ? [] : r.errors.map((e) => `${e.code} ${e.path}: ${e.message}`);
}

test('bad feedback is refused with its code and path', () => {
  const ok = { steps: 2, from: { C4: 'a' }, fuse: 'gate' };
  assert.deepEqual(errors(fed(ok)), []);
  assert.match(
    errors(fed({ ...ok, from: { C9: 'a' } }))[0],
    /^FEEDBACK feedback\.from\.C9: "C9" is not a backbone level feedback can enter \(C3\.\.C4\)/,
  );
  assert.match(errors(fed({ ...ok, from: { P4: 'a' } }))[0], /^FEEDBACK feedback\.from\.P4: /);
  assert.match(errors(fed({ ...ok, from: { C4: 'nope' } }))[0], /^FEEDBACK feedback\.from\.C4: unknown id "nope"/);
  assert.match(errors(fed({ ...ok, from: {} }))[0], /^FEEDBACK feedback\.from: feedback needs at least one/);
  assert.match(errors(fed({ ...ok, steps: 1 }))[0], /feedback\.steps/);
  assert.match(errors(fed({ ...ok, steps: 5 }))[0], /feedback\.steps/);
  assert.match(errors(fed({ ...ok, fuse: 'max' }))[0], /feedback\.fuse/);
  assert.match(errors(fed({ ...ok, extra: 1 }))[0], /feedback/);
  // C1 is the stem: a graph over levels 1..2 may feed C2 only.
  const low = { ...base(), levels: { min: 1, max: 2 }, nodes: [n('x', 1, 'sum', ['C1']), n('y', 2, 'sum', ['C2'])] };
  const lowOutputs = { P1: 'x', P2: 'y' };
  assert.deepEqual(errors({ ...low, outputs: lowOutputs, feedback: { ...ok, from: { C2: 'x' } } }), []);
  assert.match(errors({ ...low, outputs: lowOutputs, feedback: { ...ok, from: { C1: 'x' } } })[0], /C2\.\.C2/);
});

test('the hash sees feedback: its presence, steps, fuse and which node feeds which level; not the ids', () => {
  const plain = base();
  const g = fed({ steps: 2, from: { C4: 'a' }, fuse: 'gate' }) as PyramidGraph;
  const hashes = [
    graphHash(plain),
    graphHash(g),
    graphHash({ ...g, feedback: { ...g.feedback!, steps: 3 } }),
    graphHash({ ...g, feedback: { ...g.feedback!, fuse: 'last' } }),
    graphHash({ ...g, feedback: { ...g.feedback!, from: { C3: 'a' } } }),
    graphHash({ ...g, feedback: { ...g.feedback!, from: { C4: 'b' } } }),
  ];
  assert.equal(new Set(hashes).size, hashes.length, 'all different');
  for (let seed = 0; seed < 20; seed++) assert.equal(graphHash(renameIds(g, seed)), graphHash(g));
});

test('a node read only by feedback is live (it changes the outputs through the backbone)', () => {
  const g = fed({ steps: 2, from: { C3: 'side' }, fuse: 'last' }) as PyramidGraph;
  assert.ok(liveNodeIds(g).has('side'));
  assert.ok(!liveNodeIds(base()).has('side'));
  const r = parseGraph(g);
  assert.ok(r.ok && r.warnings.length === 0, 'no DEAD_NODE warning');
});
