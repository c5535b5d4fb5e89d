// Tiny-tensor tests of every fusion op, post-op and resampling rule of the neck interpreter.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../../src/backend/index.js';
import {
  buildFusion,
  buildPyramid,
  levelSize,
  ParamStore,
  resample,
  WEIGHTED_EPSILON,
} from '../../src/detector/index.js';
import { graphCost, MAX_ARITY } from '../../src/graph/index.js';
import {
  FUSION_OPS,
  type FusionOp,
  GRAPH_FORMAT,
  POST_OPS,
  type PostOp,
  type PyramidGraph,
} from '../../src/graph/types.js';

before(async () => {
  await initBackend('cpu');
});

function rand(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.randomUniform(shape, -1, 1, 'float32', seed) as tf.Tensor4D;
}

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  assert.deepEqual(a.shape, b.shape);
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  assert.ok(d <= tol, `max difference ${d} > ${tol}`);
}

describe('resample', () => {
  test('max-pool down by 2^(b-a) with same padding gives ceil sides, values are window maxima', () => {
    tf.tidy(() => {
      const x = tf.tensor4d(
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
        [1, 5, 5, 1],
      );
      const y = resample(x, 3, 4, 3);
      assert.deepEqual(y.shape, [1, 3, 3, 1]);
      const down2 = resample(x, 3, 5, 2);
      assert.deepEqual(down2.shape, [1, 2, 2, 1]);
      // With 'same' padding tfjs pads at the end for even totals: windows [0,1],[2,3],[4] → maxima 7, 9, 10…
      assert.equal(tf.max(y).dataSync()[0], 25);
      assert.deepEqual(Array.from(y.dataSync()), [7, 9, 10, 17, 19, 20, 22, 24, 25]);
    });
  });
  test('nearest upsample by 2^(a-b), cropped when the finer side is odd', () => {
    tf.tidy(() => {
      const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const y = resample(x, 4, 3, 3);
      assert.deepEqual(y.shape, [1, 3, 3, 1]);
      assert.deepEqual(Array.from(y.dataSync()), [1, 1, 2, 1, 1, 2, 3, 3, 4]);
      const y4 = resample(x, 5, 3, 8);
      assert.deepEqual(y4.shape, [1, 8, 8, 1]);
      assert.equal(y4.dataSync()[7], 2);
    });
  });
  test('level sides follow ceil(S / 2^l) for odd sizes', () => {
    assert.deepEqual(
      [3, 4, 5, 6, 7].map((l) => levelSize(100, l)),
      [13, 7, 4, 2, 1],
    );
  });
});

describe('fusion ops', () => {
  const C = 4;
  test('sum and mean', () => {
    tf.tidy(() => {
      const store = new ParamStore(1);
      const a = rand([2, 3, 3, C], 1);
      const b = rand([2, 3, 3, C], 2);
      const c = rand([2, 3, 3, C], 3);
      close(buildFusion(store, 's', 'sum', [3, 4, 5], C)([a, b, c], { training: false }), tf.addN([a, b, c]));
      close(
        buildFusion(store, 'm', 'mean', [3, 4, 5], C)([a, b, c], { training: false }),
        tf.div(tf.addN([a, b, c]), 3),
      );
      assert.equal(store.count(), 0);
    });
  });
  test('attention: g + f·sigmoid(globalMaxPool(g)) with g the coarser input; tie → g = inputs[1]', () => {
    tf.tidy(() => {
      const store = new ParamStore(1);
      const x0 = rand([2, 3, 3, C], 4);
      const x1 = rand([2, 3, 3, C], 5);
      const expect = (g: tf.Tensor4D, f: tf.Tensor4D) => tf.add(g, tf.mul(f, tf.sigmoid(tf.max(g, [1, 2], true))));
      close(buildFusion(store, 'a', 'attention', [5, 3], C)([x0, x1], { training: false }), expect(x0, x1));
      close(buildFusion(store, 'b', 'attention', [3, 5], C)([x0, x1], { training: false }), expect(x1, x0));
      close(buildFusion(store, 'c', 'attention', [4, 4], C)([x0, x1], { training: false }), expect(x1, x0));
      assert.throws(() => buildFusion(store, 'd', 'attention', [3, 4, 5], C), /exactly 2 inputs/);
    });
  });
  test('weighted: fast normalized fusion Σ relu(w_i)x_i / (ε + Σ relu(w_j)), one scalar per input', () => {
    tf.tidy(() => {
      const store = new ParamStore(1);
      const xs = [rand([1, 2, 2, C], 6), rand([1, 2, 2, C], 7), rand([1, 2, 2, C], 8)];
      const op = buildFusion(store, 'w', 'weighted', [3, 4, 5], C);
      assert.equal(store.count(), 3);
      store.trainable[0].variable.assign(tf.tensor1d([2, -1, 0.5]));
      const expected = tf.div(tf.add(tf.mul(xs[0], 2), tf.mul(xs[2], 0.5)), 2.5 + WEIGHTED_EPSILON);
      close(op(xs, { training: false }), expected);
    });
  });
  test('concat: channel concat then 1×1 conv with bias (n·C·C + C params)', () => {
    tf.tidy(() => {
      const store = new ParamStore(1);
      const xs = [rand([1, 2, 2, C], 9), rand([1, 2, 2, C], 10)];
      const op = buildFusion(store, 'c', 'concat', [3, 4], C);
      assert.equal(store.count(), 2 * C * C + C);
      const [w, b] = store.trainable.map((e) => e.variable);
      const expected = tf.add(tf.conv2d(tf.concat(xs, 3) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), b);
      close(op(xs, { training: false }), expected);
    });
  });
  test('adaptive: per-pixel softmax over per-input 1×1 conv logits (n·(C+1) params), a convex combination', () => {
    tf.tidy(() => {
      const store = new ParamStore(1);
      const xs = [rand([2, 3, 3, C], 11), rand([2, 3, 3, C], 12), rand([2, 3, 3, C], 13)];
      const op = buildFusion(store, 'a', 'adaptive', [3, 4, 5], C);
      assert.equal(store.count(), 3 * (C + 1));
      const vars = store.trainable.map((e) => e.variable);
      const logits = xs.map((x, i) => tf.add(tf.conv2d(x, vars[2 * i] as tf.Tensor4D, 1, 'same'), vars[2 * i + 1]));
      const w = tf.softmax(tf.concat(logits, 3));
      const expected = tf.addN(xs.map((x, i) => tf.mul(x, tf.slice(w, [0, 0, 0, i], [-1, -1, -1, 1]))));
      close(op(xs, { training: false }), expected);
    });
  });
  test('cross-attention: query input + softmax(q·kᵀ/√C)·v over positions (3C² params); self-attention is x with x', () => {
    tf.tidy(() => {
      const store = new ParamStore(1);
      const xs = [rand([2, 3, 2, C], 14), rand([2, 3, 2, C], 15)];
      const op = buildFusion(store, 'x', 'cross-attention', [3, 5], C);
      assert.equal(store.count(), 3 * C * C);
      const [wq, wk, wv] = store.trainable.map((e) => e.variable as tf.Tensor4D);
      // Position by position, written out: out[b,p] = x0[b,p] + Σ_r softmax_r(q_p·k_r/√C) v_r.
      const attend = (query: tf.Tensor4D, kv: tf.Tensor4D) => {
        const flat = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.reshape(tf.conv2d(x, w, 1, 'same'), [2, 6, C]);
        const q = flat(query, wq).arraySync() as number[][][];
        const k = flat(kv, wk).arraySync() as number[][][];
        const v = flat(kv, wv).arraySync() as number[][][];
        const out = q.map((qb, b) =>
          qb.map((qp) => {
            const s = k[b].map((kr) => qp.reduce((acc, qc, c) => acc + qc * kr[c], 0) / Math.sqrt(C));
            const m = Math.max(...s);
            const e = s.map((x) => Math.exp(x - m));
            const z = e.reduce((a, b2) => a + b2, 0);
            return Array.from({ length: C }, (_, c) => e.reduce((acc, er, r) => acc + (er / z) * v[b][r][c], 0));
          }),
        );
        return tf.add(query, tf.reshape(tf.tensor3d(out), [2, 3, 2, C]));
      };
      close(op(xs, { training: false }), attend(xs[0], xs[1]), 1e-4);
      const self = buildFusion(store, 's', 'self-attention', [4], C);
      assert.equal(store.count(), 6 * C * C);
      const [sq, sk, sv] = store.trainable.slice(3).map((e) => e.variable as tf.Tensor4D);
      store.trainable[0].variable.assign(sq);
      store.trainable[1].variable.assign(sk);
      store.trainable[2].variable.assign(sv);
      close(self([xs[1]], { training: false }), op([xs[1], xs[1]], { training: false }), 1e-5);
    });
  });
});

function oneNodeGraph(op: FusionOp, post: PostOp, channels: number): PyramidGraph {
  const arity = Math.min(MAX_ARITY[op], 3);
  const inputs = ['C3', 'C4', 'C5'].slice(0, arity);
  return {
    format: GRAPH_FORMAT,
    name: `${op}-${post}`,
    levels: { min: 3, max: 5 },
    channels,
    repeats: 1,
    nodes: [
      { id: 'n', level: 4, op, inputs, post },
      { id: 'p3', level: 3, op: 'sum', inputs: ['n'], post: 'none' },
      { id: 'p5', level: 5, op: 'sum', inputs: ['n'], post: 'none' },
    ],
    outputs: { P3: 'p3', P4: 'n', P5: 'p5' },
  };
}

describe('every fusion op × post-op through buildPyramid', () => {
  const S = 40; // odd level sides: 5, 3, 2
  const C = 8;
  const backboneChannels = { 3: 6, 4: 7, 5: 9 };
  for (const op of FUSION_OPS)
    for (const post of POST_OPS) {
      test(`${op} + ${post}: output sides, params and MACs as the cost model says`, () => {
        const graph = oneNodeGraph(op, post, C);
        const store = new ParamStore(3);
        const neck = buildPyramid(graph, { store, inputSize: S, backboneChannels });
        const macs = { backbone: 0, neck: 0, head: 0 };
        tf.tidy(() => {
          const feats = new Map(
            [3, 4, 5].map(
              (l) => [l, rand([2, levelSize(S, l), levelSize(S, l), backboneChannels[l as 3]], l)] as const,
            ),
          );
          const out = neck(feats, { training: true, macs });
          for (const l of [3, 4, 5]) assert.deepEqual(out.get(l)!.shape, [2, levelSize(S, l), levelSize(S, l), C]);
          for (const l of [3, 4, 5]) assert.ok(out.get(l)!.dataSync().every(Number.isFinite));
        });
        const cost = graphCost(graph, { inputSize: S, backboneChannels });
        assert.equal(store.count('neck'), cost.params);
        assert.equal(macs.neck, cost.macs);
        store.dispose();
      });
    }
});

describe('repeats', () => {
  test('copy k>0 reads copy k−1 outputs where the graph names C<l>', () => {
    const graph: PyramidGraph = {
      format: GRAPH_FORMAT,
      name: 'rep',
      levels: { min: 3, max: 4 },
      channels: 4,
      repeats: 3,
      nodes: [
        { id: 'p4', level: 4, op: 'sum', inputs: ['C4'], post: 'none' },
        { id: 'p3', level: 3, op: 'sum', inputs: ['C3', 'p4'], post: 'none' },
      ],
      outputs: { P3: 'p3', P4: 'p4' },
    };
    const store = new ParamStore(5);
    const neck = buildPyramid(graph, { store, inputSize: 32, backboneChannels: { 3: 4, 4: 4 } });
    tf.tidy(() => {
      const c3 = rand([1, 4, 4, 4], 1);
      const c4 = rand([1, 2, 2, 4], 2);
      const out = neck(
        new Map([
          [3, c3],
          [4, c4],
        ]),
        { training: false },
      );
      // Projections are 1×1 conv + BN (inference: identity stats) — recompute them from the weights.
      const [w3, w4] = [
        store.trainable.find((e) => e.label === 'proj/C3/w')!,
        store.trainable.find((e) => e.label === 'proj/C4/w')!,
      ];
      const bnScale = 1 / Math.sqrt(1 + 1e-3);
      const p3 = tf.mul(tf.conv2d(c3, w3.variable as tf.Tensor4D, 1, 'same'), bnScale);
      const p4 = tf.mul(tf.conv2d(c4, w4.variable as tf.Tensor4D, 1, 'same'), bnScale);
      const up = tf.image.resizeNearestNeighbor(p4 as tf.Tensor4D, [4, 4]);
      // copy 0: P3 = p3 + up(p4); copy 1: P3 += up(P4) again; copy 2: once more. P4 stays p4.
      close(out.get(4)!, p4);
      close(out.get(3)!, tf.add(p3, tf.mul(up, 3)));
    });
    assert.equal(store.count('neck'), 2 * (4 * 4 + 8)); // projections only: sum/none copies have no weights
    store.dispose();
  });
});
