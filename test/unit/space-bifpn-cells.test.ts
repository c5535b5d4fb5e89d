import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { bifpnCellsSpace, getSpace, OptionsError, SPACE_NAMES } from '../../search-spaces/index.js';
import { graphHash, parseGraph, type PyramidGraph } from '../../src/graph/index.js';

const zoo = (name: string): PyramidGraph =>
  JSON.parse(readFileSync(new URL(`../../search-spaces/zoo/${name}.graph.json`, import.meta.url), 'utf8'));

test('the BiFPN layer of the zoo is a point of the bifpn-cells space', () => {
  const z = zoo('bifpn');
  const s = bifpnCellsSpace({ channels: z.channels, repeats: z.repeats });
  const d = s.encode(z);
  assert.ok(d, 'the zoo BiFPN encodes');
  assert.equal(graphHash(s.decode(d)), graphHash(z));
  // P6td ← [C6, C7]: input1 = C6 (offset 3), input2 = C7 (offset 4 → token 3), no third input, level 6.
  assert.deepEqual(d.slice(0, 4), [3, 3, 0, 2]);
});

test('vocabulary: input3 is "none" or a third distinct feature; fan-in 2–3; weighted + sepconv', () => {
  const s = bifpnCellsSpace();
  assert.equal(s.decisionCount, 32);
  assert.deepEqual(
    s.vocabulary.slice(0, 4).map((v) => v.size),
    [5, 4, 4, 4],
  );
  assert.deepEqual(s.vocabulary[2].labels, ['none', 'other0', 'other1', 'other2']);
  const two = s.decode(s.vocabulary.map(() => 0));
  assert.ok(two.nodes.every((n) => n.inputs.length === 2 && n.op === 'weighted' && n.post === 'sepconv'));
  const three = s.decode(s.vocabulary.map((v, k) => (k % 4 === 2 ? v.size - 1 : 0)));
  assert.ok(three.nodes.every((n) => n.inputs.length === 3 && new Set(n.inputs).size === 3));
  assert.ok(parseGraph(three).ok);
  assert.equal(
    s.size(),
    s.vocabulary.reduce((a, v) => a * BigInt(v.size), 1n),
  );
});

test('registry: getSpace by name, options validated with paths', () => {
  assert.deepEqual([...SPACE_NAMES].sort(), ['bifpn-cells', 'nas-fpn']);
  assert.equal(getSpace('bifpn-cells', { cells: 6 }).decisionCount, 24);
  assert.equal(getSpace('nas-fpn').decisionCount, 28);
  assert.throws(() => getSpace('darts'), /unknown space "darts" \(known: nas-fpn, bifpn-cells\)/);
  assert.throws(
    () => getSpace('bifpn-cells', { levels: { min: 3, max: 7, extra: true } }),
    (e: unknown) => e instanceof OptionsError && /levels\.extra: unknown key/.test(e.message),
  );
  assert.throws(() => getSpace('bifpn-cells', { channels: 0 }), /channels:/);
  assert.throws(() => getSpace('bifpn-cells', { ops: ['sum'] }), /ops: unknown key/);
});
