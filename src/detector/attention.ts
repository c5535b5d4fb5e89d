// Attention over positions (the Feature Pyramid Transformer's interactions, simplified to one head):
// queries from one feature map, keys and values from another (or the same), all as 1×1 convs C→C
// without bias; out = query input + softmax(q·kᵀ/√C)·v. Both inputs are already at the node's level, so
// every position of the query map attends to every position of the key map. Cost: src/graph/cost.ts.
import * as tf from '@tensorflow/tfjs-core';

import { conv2d, type RunContext } from './layers.js';
import type { ParamStore } from './params.js';

export type AttentionFusion = (query: tf.Tensor4D, keyValue: tf.Tensor4D, ctx: RunContext) => tf.Tensor4D;

export function buildPositionAttention(store: ParamStore, label: string, channels: number): AttentionFusion {
  const C = channels;
  const q = conv2d(store, 'neck', `${label}/query`, C, C, 1);
  const k = conv2d(store, 'neck', `${label}/key`, C, C, 1);
  const v = conv2d(store, 'neck', `${label}/value`, C, C, 1);
  return (query, keyValue, ctx) => {
    const [b, h, w] = query.shape;
    const positions = h * w;
    const flat = (x: tf.Tensor4D) => tf.reshape(x, [b, positions, C]) as tf.Tensor3D;
    const scores = tf.mul(tf.matMul(flat(q(query, ctx)), flat(k(keyValue, ctx)), false, true), 1 / Math.sqrt(C));
    const attended = tf.matMul(tf.softmax(scores), flat(v(keyValue, ctx)));
    // The two position-by-position products, per image (the convs counted their own MACs).
    if (ctx.macs) ctx.macs.neck += 2 * positions * positions * C;
    return tf.add(query, tf.reshape(attended, [b, h, w, C])) as tf.Tensor4D;
  };
}
