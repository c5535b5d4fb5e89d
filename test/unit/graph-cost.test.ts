// graphCost against numbers worked out by hand from the CONTRACT in src/graph/cost.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { featureSide, type FusionOp, graphCost, PROXY_BACKBONE_CHANNELS } from '../../src/graph/index.js';
import { graph, n, tinyFpn } from './graph-fixtures.js';

describe('graphCost', () => {
  test('feature sides are ceil(inputSize / 2^l)', () => {
    assert.equal(featureSide(128, 3), 16);
    assert.equal(featureSide(100, 3), 13);
    assert.equal(featureSide(100, 7), 1);
    assert.equal(featureSide(1, 9), 1);
  });

  test('tiny FPN at 128 px, C = 8', () => {
    // Projections: C3 (32 ch, 16×16): 32·8 + 2·8 = 272 params, 16²·32·8 = 65536 MACs.
    //              C4 (64 ch, 8×8):   64·8 + 16 = 528 params,    8²·64·8 = 32768 MACs.
    // conv post: 9·8² + 2·8 = 592 params; MACs 8²·576 = 36864 (level 4) and 16²·576 = 147456 (level 3).
    const c = graphCost(tinyFpn(), { inputSize: 128 });
    assert.equal(c.projection.params, 272 + 528);
    assert.equal(c.projection.macs, 65536 + 32768);
    assert.deepEqual(
      c.projection.levels.map((p) => [p.level, p.inChannels, p.side, p.params, p.macs]),
      [
        [3, 32, 16, 272, 65536],
        [4, 64, 8, 528, 32768],
      ],
    );
    assert.deepEqual(
      c.perNode.map((p) => [p.id, p.side, p.params, p.macs]),
      [
        ['a', 8, 592, 36864],
        ['b', 16, 592, 147456],
      ],
    );
    assert.equal(c.params, 1984);
    assert.equal(c.macs, 282624);
  });

  test('repeats multiply the cell, not the projection', () => {
    const c = graphCost({ ...tinyFpn(), repeats: 3 }, { inputSize: 128 });
    assert.equal(c.params, 800 + 3 * 1184);
    assert.equal(c.macs, 98304 + 3 * 184320);
  });

  test('each fusion op and post-op (level 3, 16×16, C = 8, two inputs)', () => {
    const cost = (op: FusionOp, post: 'none' | 'conv' | 'sepconv' = 'none') => {
      const g = graph([n('a', 4, 'sum', ['C4'], 'none'), n('b', 3, op, ['C3', 'C4'], post)], { P3: 'b', P4: 'a' });
      return graphCost(g, { inputSize: 128 }).perNode[1];
    };
    for (const op of ['sum', 'mean', 'attention'] as const)
      assert.deepEqual([cost(op).params, cost(op).macs], [0, 0], op);
    assert.deepEqual([cost('weighted').params, cost('weighted').macs], [2, 0]);
    assert.deepEqual([cost('concat').params, cost('concat').macs], [2 * 64 + 8, 256 * 2 * 64]); // 136, 32768
    assert.deepEqual([cost('adaptive').params, cost('adaptive').macs], [2 * 9, 2 * 256 * 8]); // 18, 4096
    const sep = cost('sum', 'sepconv');
    assert.deepEqual([sep.postParams, sep.postMacs], [9 * 8 + 64 + 16, 256 * (72 + 64)]); // 152, 34816
    // 256 positions: q, k, v are 3 · 256 · 64 MACs; q·kᵀ and its product with v are 2 · 256² · 8.
    assert.deepEqual(
      [cost('cross-attention').params, cost('cross-attention').macs],
      [3 * 64, 3 * 256 * 64 + 2 * 65536 * 8],
    );
    const conv = cost('concat', 'conv');
    assert.deepEqual([conv.fusionParams, conv.postParams, conv.params], [136, 592, 728]);
  });

  test('odd input sizes round up (100 px: level 3 is 13×13)', () => {
    const c = graphCost(tinyFpn(), { inputSize: 100 });
    assert.equal(c.perNode[1].macs, 169 * 576);
    assert.equal(c.perNode[0].macs, 49 * 576);
  });

  test('dead nodes cost nothing, and only features read by live nodes are projected', () => {
    const g = graph(
      [
        n('a', 4, 'sum', ['C4']),
        n('dead', 5, 'concat', ['C5', 'C3']),
        n('b', 3, 'sum', ['C3', 'a']),
        n('c', 5, 'sum', ['a']),
      ],
      { P3: 'b', P4: 'a', P5: 'c' },
      { levels: { min: 3, max: 5 } },
    );
    const c = graphCost(g, { inputSize: 128 });
    assert.deepEqual(
      c.perNode.map((p) => p.id),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      c.projection.levels.map((p) => p.level),
      [3, 4],
    );
  });

  test('custom backbone channels', () => {
    const c = graphCost(tinyFpn(), { inputSize: 128, backboneChannels: { 3: 10, 4: 20 } });
    assert.equal(c.projection.params, 10 * 8 + 16 + 20 * 8 + 16);
    assert.equal(PROXY_BACKBONE_CHANNELS[3], 32);
  });

  test('bad options are rejected', () => {
    assert.throws(() => graphCost(tinyFpn(), { inputSize: 0 }), RangeError);
    assert.throws(() => graphCost(tinyFpn(), { inputSize: 128, backboneChannels: { 3: 10 } }), /C4/);
  });
});
