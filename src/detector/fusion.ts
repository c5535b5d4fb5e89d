// The fusion ops (docs/proxy-task.md, the proxy detector), each built with its own weights for one node.
// Inputs arrive already resampled to the node's level; `levels` are the inputs' original levels (attention
// needs the coarser).
import * as tf from '@tensorflow/tfjs-core';

import type { FusionOp } from '../graph/types.js';
import { buildPositionAttention } from './attention.js';
import { conv2d, type Layer, type RunContext } from './layers.js';
import type { ParamStore } from './params.js';

export type Fusion = (inputs: tf.Tensor4D[], ctx: RunContext) => tf.Tensor4D;

/** BiFPN fast normalized fusion's ε. */
export const WEIGHTED_EPSILON = 1e-4;

function sumAll(xs: tf.Tensor4D[]): tf.Tensor4D {
  return xs.length === 1 ? xs[0] : (tf.addN(xs) as tf.Tensor4D);
}

export function buildFusion(
  store: ParamStore,
  label: string,
  op: FusionOp,
  levels: number[],
  channels: number,
): Fusion {
  const n = levels.length;
  const C = channels;
  switch (op) {
    case 'sum':
      return (xs) => sumAll(xs);
    case 'mean':
      return (xs) => tf.mul(sumAll(xs), 1 / n);
    case 'attention': {
      if (n !== 2) throw new Error(`${label}: attention needs exactly 2 inputs, got ${n}`);
      // g is the coarser input (higher level); on a tie g = inputs[1] (src/graph/types.ts).
      const gi = levels[0] > levels[1] ? 0 : 1;
      return (xs) => {
        const g = xs[gi];
        const f = xs[1 - gi];
        const gate = tf.sigmoid(tf.max(g, [1, 2], true));
        return tf.add(g, tf.mul(f, gate));
      };
    }
    case 'weighted': {
      const w = store.constant('neck', `${label}/fusion_w`, [n], 1);
      return (xs) => {
        const r = tf.relu(w);
        const norm = tf.div(r, tf.add(tf.sum(r), WEIGHTED_EPSILON));
        const parts = tf.unstack(norm);
        return sumAll(xs.map((x, i) => tf.mul(x, parts[i])));
      };
    }
    case 'concat': {
      const conv: Layer = conv2d(store, 'neck', `${label}/concat`, n * C, C, 1, { bias: true });
      return (xs, ctx) => conv(xs.length === 1 ? xs[0] : tf.concat(xs, 3), ctx);
    }
    case 'adaptive': {
      const logits = levels.map((_, i) => conv2d(store, 'neck', `${label}/asff${i}`, C, 1, 1, { bias: true }));
      return (xs, ctx) => {
        const weights = tf.softmax(
          tf.concat(
            xs.map((x, i) => logits[i](x, ctx)),
            3,
          ),
        );
        const parts = tf.split(weights, n, 3);
        return sumAll(xs.map((x, i) => tf.mul(x, parts[i])));
      };
    }
    case 'self-attention': {
      const attend = buildPositionAttention(store, label, C);
      return (xs, ctx) => attend(xs[0], xs[0], ctx);
    }
    case 'cross-attention': {
      // Queries from inputs[0], keys and values from inputs[1] (their order is part of the graph).
      const attend = buildPositionAttention(store, label, C);
      return (xs, ctx) => attend(xs[0], xs[1], ctx);
    }
    default: {
      const never: never = op;
      throw new Error(`${label}: unknown fusion op ${String(never)}`);
    }
  }
}
