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

/** Per level [B, s, s, C] in; all levels' anchors out, flattened in (level, y, x, anchor) order. */
export type Head = (levels: tf.Tensor4D[], ctx: RunContext) => { cls: tf.Tensor3D; box: tf.Tensor3D };

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
  return (levels, ctx) => {
    const B = levels[0].shape[0];
    const clsOut = levels.map((x) => tf.reshape(cls(x, ctx), [B, -1, K]));
    const boxOut = levels.map((x) => tf.reshape(box(x, ctx), [B, -1, 4]));
    return {
      cls: (clsOut.length === 1 ? clsOut[0] : tf.concat(clsOut, 1)) as tf.Tensor3D,
      box: (boxOut.length === 1 ? boxOut[0] : tf.concat(boxOut, 1)) as tf.Tensor3D,
    };
  };
}
