// A RetinaNet-style head shared by every output level: a class subnet and a box subnet, each `depth`
// 3×3 conv+ReLU layers (He init: with so few steps RetinaNet's std 0.01 trains too slowly) and a 3×3
// prediction conv (std 0.01). No normalisation (shared across levels, as RetinaNet);
// class bias starts at the focal-loss prior so early training is not swamped by easy negatives.
import * as tf from '@tensorflow/tfjs-core';

import { conv2d, type Layer, type RunContext } from './layers.js';
import type { ParamStore } from './params.js';

export const CLASS_PRIOR = 0.01;

export interface HeadOptions {
  channels: number;
  numClasses: number;
  anchorsPerLocation: number;
  depth: number;
}

/**
 * Per level: [B, s, s, A·K] class logits and [B, s, s, A·4] box deltas, whose memory order is the level's
 * anchors in (y, x, anchor) order. The training loss reads the levels as they are: joining them on the
 * gradient tape would make the gradient split them again (SplitV, a copy of every output per step).
 */
export interface LevelOutputs {
  cls: tf.Tensor4D[];
  box: tf.Tensor4D[];
}

/** Per level [B, s, s, C] in; each level's outputs out. */
export type Head = (levels: tf.Tensor4D[], ctx: RunContext) => LevelOutputs;

function subnet(store: ParamStore, name: string, C: number, depth: number, out: number, biasInit: number): Layer {
  const hidden: Layer[] = [];
  for (let i = 0; i < depth; i++) hidden.push(conv2d(store, 'head', `${name}/${i}`, C, C, 3, { bias: true }));
  const pred = conv2d(store, 'head', `${name}/pred`, C, out, 3, { bias: true, std: 0.01, biasInit });
  return (x, ctx) =>
    pred(
      hidden.reduce((y, layer) => tf.relu(layer(y, ctx)), x),
      ctx,
    );
}

export function buildHead(store: ParamStore, o: HeadOptions): Head {
  const A = o.anchorsPerLocation;
  const K = o.numClasses;
  const cls = subnet(store, 'cls', o.channels, o.depth, A * K, -Math.log((1 - CLASS_PRIOR) / CLASS_PRIOR));
  const box = subnet(store, 'box', o.channels, o.depth, A * 4, 0);
  return (levels, ctx) => ({ cls: levels.map((x) => cls(x, ctx)), box: levels.map((x) => box(x, ctx)) });
}

/** All levels' anchors in one tensor each, in (level, y, x, anchor) order: [B, N, K] and [B, N, 4]. */
export function joinLevels(out: LevelOutputs, numClasses: number): { cls: tf.Tensor3D; box: tf.Tensor3D } {
  const join = (xs: tf.Tensor4D[], last: number): tf.Tensor3D => {
    const flat = xs.map((x) => tf.reshape(x, [x.shape[0], -1, last]) as tf.Tensor3D);
    return flat.length === 1 ? flat[0] : tf.concat(flat, 1);
  };
  return { cls: join(out.cls, numClasses), box: join(out.box, 4) };
}
