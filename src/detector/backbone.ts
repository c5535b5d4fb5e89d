// The proxy backbone: a small ResNet-like stack. C1 is a stride-2 stem, C2..C5 each a stage of residual
// basic blocks (the first with stride 2 and a projection skip, the rest stride 1 with an identity skip), C6+
// are 3×3/2 max-pools of the level below (same width as C5). Widths per level come from
// PROXY_BACKBONE_CHANNELS (src/graph/cost.ts), the table the cost model also uses. Blocks per stage are a
// backbone variant's choice (src/train/backbone-weights.ts): deeper coarse stages, as in a ResNet, make C5
// semantically stronger than C3, which is what a top-down pyramid path exploits.
import * as tf from '@tensorflow/tfjs-core';

import { batchNorm, conv2d, type Layer, type RunContext } from './layers.js';
import type { ParamStore } from './params.js';

/** Highest level produced by a convolutional stage; above it levels are max-pools. */
export const LAST_CONV_LEVEL = 5;

export interface Backbone {
  /** C<minLevel>..C<maxLevel> of a batch of images. */
  (images: tf.Tensor4D, ctx: RunContext): Map<number, tf.Tensor4D>;
  /**
   * A later pass of a graph with feedback: C<from>..C<maxLevel> recomputed from `below` (C<from−1>), with
   * `add.get(l)` added to each stage output C<l> that has an entry, before the next stage reads it.
   */
  rerun(
    below: tf.Tensor4D,
    from: number,
    add: ReadonlyMap<number, tf.Tensor4D>,
    ctx: RunContext,
  ): Map<number, tf.Tensor4D>;
}

/** One basic block; `prefix` names its weights (the stage's first block keeps the single-block names). */
function basicBlock(store: ParamStore, prefix: string, cin: number, cout: number, stride: 1 | 2): Layer {
  const g = 'backbone' as const;
  const a = conv2d(store, g, `${prefix}/a`, cin, cout, 3, { stride });
  const aBn = batchNorm(store, g, `${prefix}/a_bn`, cout);
  const b = conv2d(store, g, `${prefix}/b`, cout, cout, 3);
  const bBn = batchNorm(store, g, `${prefix}/b_bn`, cout);
  const projected = stride !== 1 || cin !== cout;
  const skip = projected ? conv2d(store, g, `${prefix}/skip`, cin, cout, 1, { stride }) : undefined;
  const skipBn = projected ? batchNorm(store, g, `${prefix}/skip_bn`, cout) : undefined;
  return (x, ctx) => {
    const main = bBn(b(tf.relu(aBn(a(x, ctx), ctx)), ctx), ctx);
    const shortcut = skip && skipBn ? skipBn(skip(x, ctx), ctx) : x;
    return tf.relu(tf.add(main, shortcut)) as tf.Tensor4D;
  };
}

function residualStage(store: ParamStore, level: number, cin: number, cout: number, blocks: number): Layer {
  const layers = [basicBlock(store, `c${level}`, cin, cout, 2)];
  for (let k = 1; k < blocks; k++) layers.push(basicBlock(store, `c${level}/${k}`, cout, cout, 1));
  return (x, ctx) => layers.reduce((y, layer) => layer(y, ctx), x);
}

/**
 * Build a backbone that returns C<minLevel>..C<maxLevel>. `channels[l]` is the width of C<l>; `blocks[l]`
 * the number of basic blocks of stage C<l> (1 where absent).
 */
export function buildBackbone(
  store: ParamStore,
  minLevel: number,
  maxLevel: number,
  channels: Readonly<Record<number, number>>,
  blocks: Readonly<Record<number, number>> = {},
): Backbone {
  const convTop = Math.min(maxLevel, LAST_CONV_LEVEL);
  const stem = conv2d(store, 'backbone', 'c1/conv', 3, channels[1], 3, { stride: 2 });
  const stemBn = batchNorm(store, 'backbone', 'c1/bn', channels[1]);
  const stages: Layer[] = [];
  for (let l = 2; l <= convTop; l++) stages.push(residualStage(store, l, channels[l - 1], channels[l], blocks[l] ?? 1));
  /** Levels from..maxLevel from x = C<from−1>; C<l> for l ≥ minLevel go into `out`. */
  const climb = (
    x: tf.Tensor4D,
    from: number,
    add: ReadonlyMap<number, tf.Tensor4D>,
    ctx: RunContext,
    out: Map<number, tf.Tensor4D>,
  ) => {
    for (let l = from; l <= maxLevel; l++) {
      x = l <= convTop ? stages[l - 2](x, ctx) : tf.maxPool(x, 3, 2, 'same');
      const extra = add.get(l);
      if (extra) x = tf.add(x, extra) as tf.Tensor4D;
      if (l >= minLevel) out.set(l, x);
    }
    return out;
  };
  const none = new Map<number, tf.Tensor4D>();
  const backbone = (images: tf.Tensor4D, ctx: RunContext) => {
    const out = new Map<number, tf.Tensor4D>();
    const x = tf.relu(stemBn(stem(images, ctx), ctx));
    if (minLevel <= 1) out.set(1, x);
    return climb(x, 2, none, ctx, out);
  };
  backbone.rerun = (below: tf.Tensor4D, from: number, add: ReadonlyMap<number, tf.Tensor4D>, ctx: RunContext) => {
    if (from < 2) throw new RangeError(`feedback cannot enter C${from}: C1 is the stem`);
    return climb(below, from, add, ctx, new Map());
  };
  return backbone;
}
