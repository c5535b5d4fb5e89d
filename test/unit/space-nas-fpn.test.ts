import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  nasFpnDecisionsFromBlocks,
  nasFpnSpace,
  OptionsError,
  PUBLISHED_NAS_FPN_BLOCKS,
  PUBLISHED_NAS_FPN_DECISIONS,
  SpaceDecisionError,
} from '../../search-spaces/index.js';
import { graphHash, parseGraph, type PyramidGraph } from '../../src/graph/index.js';

const zoo = (name: string): PyramidGraph =>
  JSON.parse(readFileSync(new URL(`../../search-spaces/zoo/${name}.graph.json`, import.meta.url), 'utf8'));

test('the published NAS-FPN is a point of the space: same hash as the zoo graph', () => {
  const z = zoo('nas-fpn');
  const g = nasFpnSpace({ channels: 256, repeats: 7 }).decode(PUBLISHED_NAS_FPN_DECISIONS);
  assert.equal(z.channels, 256);
  assert.equal(z.repeats, 7);
  assert.equal(graphHash(g), graphHash(z));
  // And the zoo graph encodes back to the published decisions.
  assert.deepEqual(nasFpnSpace({ channels: 256, repeats: 7 }).encode(z), [...PUBLISHED_NAS_FPN_DECISIONS]);
});

test('published decisions decode with the unused-node rule: P5 absorbs C5, P7 absorbs C7', () => {
  const g = nasFpnSpace().decode(PUBLISHED_NAS_FPN_DECISIONS);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const p5 = byId.get(g.outputs.P5)!;
  const p7 = byId.get(g.outputs.P7)!;
  assert.deepEqual({ op: p5.op, post: p5.post, last: p5.inputs.at(-1) }, { op: 'sum', post: 'conv', last: 'C5' });
  assert.deepEqual({ op: p7.op, post: p7.post, last: p7.inputs.at(-1) }, { op: 'sum', post: 'conv', last: 'C7' });
  const att = byId.get(p5.inputs[0])!;
  assert.deepEqual({ op: att.op, post: att.post, n: att.inputs.length }, { op: 'attention', post: 'none', n: 2 });
  // P6 has nothing unused at its level (C6 was read by cell 0): a single attention node with post conv.
  const p6 = byId.get(g.outputs.P6)!;
  assert.deepEqual({ op: p6.op, post: p6.post, n: p6.inputs.length }, { op: 'attention', post: 'conv', n: 2 });
  // Output levels in the published order 3,4,5,7,6 are the tokens 0,0,0,1,0 over the free levels.
  assert.deepEqual(
    [2, 3, 4, 5, 6].map((c) => PUBLISHED_NAS_FPN_DECISIONS[c * 4 + 2]),
    [0, 0, 0, 1, 0],
  );
  assert.ok(parseGraph(g).ok);
});

test('vocabulary: 4 slots per cell with the sizes the rules imply; size() is their product', () => {
  const s = nasFpnSpace();
  assert.equal(s.decisionCount, 28);
  const sizes = s.vocabulary.map((v) => v.size);
  // cell i: input1 over 5+i features, input2 over the other 4+i, level, op.
  assert.deepEqual(sizes.slice(0, 8), [5, 4, 4, 2, 6, 5, 4, 2]); // intermediate cells: levels 4..7
  assert.deepEqual(sizes.filter((_, k) => k % 4 === 2).slice(2), [5, 4, 3, 2, 1]); // outputs: free levels
  assert.deepEqual(s.vocabulary[0].labels, ['C3', 'C4', 'C5', 'C6', 'C7']);
  assert.deepEqual(s.vocabulary[3].labels, ['sum', 'attention']);
  assert.equal(
    s.size(),
    sizes.reduce((a, b) => a * BigInt(b), 1n),
  );
  assert.equal(s.size(), 247210809753600000n);
});

test('size() counts exactly the sequences: brute force on a tiny space', () => {
  const s = nasFpnSpace({ cells: 3, levels: { min: 3, max: 4 }, ops: ['sum'] });
  let valid = 0;
  const sizes = s.vocabulary.map((v) => v.size + 1); // one out-of-range token per slot as well
  const total = sizes.reduce((a, b) => a * b, 1);
  for (let code = 0; code < total; code++) {
    let rest = code;
    const d = sizes.map((n) => {
      const t = rest % n;
      rest = Math.floor(rest / n);
      return t;
    });
    try {
      s.validate(d);
      valid++;
      assert.ok(parseGraph(s.decode(d)).ok);
    } catch (e) {
      assert.ok(e instanceof SpaceDecisionError);
    }
  }
  assert.equal(BigInt(valid), s.size());
});

test('intermediate cells never take the finest level; every output level appears once', () => {
  const s = nasFpnSpace();
  assert.ok(s.vocabulary[2].labels.every((l) => l !== 'L3'));
  const g = s.decode(s.vocabulary.map((v) => v.size - 1));
  assert.deepEqual(Object.keys(g.outputs).sort(), ['P3', 'P4', 'P5', 'P6', 'P7']);
});

test('validate names the bad position', () => {
  const s = nasFpnSpace();
  const d = [...PUBLISHED_NAS_FPN_DECISIONS];
  d[5] = 99;
  assert.throws(() => s.validate(d), /decisions\[5\]: cell1\.input2 must be an integer in \[0, 5\), got 99/);
  assert.throws(() => s.decode([1, 2]), /expected 28 decisions, got 2/);
  assert.throws(() => s.validate([...PUBLISHED_NAS_FPN_DECISIONS.slice(0, 27), 0.5]), /decisions\[27\]/);
});

test('options: defaults, unknown keys and bad values are rejected with paths', () => {
  assert.deepEqual(nasFpnSpace().options, {
    cells: 7,
    levels: { min: 3, max: 7 },
    ops: ['sum', 'attention'],
    repeats: 1,
    channels: 64,
  });
  assert.throws(
    () => nasFpnSpace({ cells: 7, foo: 1 } as never),
    (e: unknown) => e instanceof OptionsError && /foo: unknown key/.test(e.message),
  );
  assert.throws(() => nasFpnSpace({ levels: { min: 3, max: 12 } }), /levels\.max/);
  assert.throws(() => nasFpnSpace({ cells: 4 }), /cells: must be at least the number of levels \(5\)/);
  assert.throws(() => nasFpnSpace({ cells: 11 }), /cells: must be at most levels \+ 5 = 10/);
  assert.throws(() => nasFpnSpace({ ops: ['sum', 'sum'] }), /ops: ops must not repeat/);
  assert.throws(() => nasFpnSpace({ ops: ['max' as never] }), /ops\[0\]/);
});

test('encode returns undefined for graphs outside the space', () => {
  const s = nasFpnSpace();
  assert.equal(s.encode(zoo('fpn')), undefined);
  assert.equal(s.encode(zoo('bifpn')), undefined);
  const g = s.decode(PUBLISHED_NAS_FPN_DECISIONS);
  assert.equal(nasFpnSpace({ channels: 32 }).encode(g), undefined);
  const swapped = structuredClone(g);
  swapped.outputs.P3 = g.outputs.P4; // not what the decisions imply
  assert.equal(s.encode(swapped), undefined);
});

test('blocks that are not a point of the space are rejected', () => {
  const s = nasFpnSpace();
  const blocks = PUBLISHED_NAS_FPN_BLOCKS.map((b) => ({ ...b }));
  blocks[0].level = 3; // intermediate cells may not take the finest level
  assert.throws(() => nasFpnDecisionsFromBlocks(s, blocks), SpaceDecisionError);
});
