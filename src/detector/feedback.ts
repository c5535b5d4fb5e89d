// Backbone feedback (Recursive Feature Pyramid, DetectoRS): the neck's nodes named in graph.feedback go
// back into the backbone through zero-initialised 1×1 convs (so training starts from the plain pyramid,
// as in the paper), the backbone runs again from the lowest level fed, and the neck runs again with the
// same weights on the new features. `gate` mixes each pass's outputs with the previous pass's through a
// sigmoid of one 1×1 conv C→1 shared by all levels. Cost contract: src/graph/cost.ts.
import * as tf from '@tensorflow/tfjs-core';

import { backboneLevel } from '../graph/live.js';
import type { PyramidGraph } from '../graph/types.js';
import type { Backbone } from './backbone.js';
import { conv2d, type Layer, type RunContext } from './layers.js';
import type { ParamStore } from './params.js';
import type { Pyramid } from './pyramid.js';
import { levelSize, resample } from './resample.js';

export interface FeedbackOptions {
  store: ParamStore;
  inputSize: number;
  backboneChannels: Readonly<Record<number, number>>;
  /** A frozen backbone re-runs in inference mode (moving BN statistics), as its cached first pass did. */
  frozenBackbone: boolean;
}

/** The lowest backbone level a graph's feedback enters; its later passes start from the level below. */
export function lowestFeedbackLevel(graph: PyramidGraph): number | undefined {
  const levels = Object.keys(graph.feedback?.from ?? {}).map((k) => backboneLevel(k)!);
  return levels.length === 0 ? undefined : Math.min(...levels);
}

/** The neck with feedback: backbone features (including C<lowest−1>) in, the last pass's pyramid out. */
export function buildFeedbackPyramid(
  graph: PyramidGraph,
  neck: Pyramid,
  backbone: Backbone,
  options: FeedbackOptions,
): Pyramid {
  const fb = graph.feedback!;
  const { store, inputSize, backboneChannels } = options;
  const C = graph.channels;
  const levelOf = new Map(graph.nodes.map((n) => [n.id, n.level]));
  const entries = Object.entries(fb.from)
    .map(([key, id]) => ({ level: backboneLevel(key)!, id }))
    .sort((a, b) => a.level - b.level);
  const convs = new Map<number, Layer>(
    entries.map(({ level }) => [
      level,
      conv2d(store, 'neck', `feedback/C${level}`, C, backboneChannels[level], 1, { bias: true, std: 0 }),
    ]),
  );
  const gate = fb.fuse === 'gate' ? conv2d(store, 'neck', 'feedback/gate', C, 1, 1, { bias: true }) : undefined;
  const from = entries[0].level;
  return (features, ctx) => {
    const below = features.get(from - 1);
    if (!below) throw new Error(`graph ${graph.name}: feedback needs backbone feature C${from - 1}`);
    const backboneCtx: RunContext = options.frozenBackbone ? { training: false, macs: ctx.macs } : ctx;
    let taps = new Map<string, tf.Tensor4D>();
    let outputs = neck(features, ctx, taps);
    for (let step = 1; step < fb.steps; step++) {
      const add = new Map<number, tf.Tensor4D>();
      for (const { level, id } of entries) {
        const x = resample(taps.get(id)!, levelOf.get(id)!, level, levelSize(inputSize, level));
        add.set(level, convs.get(level)!(x, ctx));
      }
      const again = new Map(features);
      for (const [l, t] of backbone.rerun(below, from, add, backboneCtx)) again.set(l, t);
      taps = new Map();
      const next = neck(again, ctx, taps);
      if (gate) {
        for (const [l, p] of next) {
          const w = tf.sigmoid(gate(p, ctx));
          next.set(l, tf.add(tf.mul(w, p), tf.mul(tf.sub(1, w), outputs.get(l)!)) as tf.Tensor4D);
        }
      }
      outputs = next;
    }
    return outputs;
  };
}
