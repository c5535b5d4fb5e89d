// buildPyramid: the ONLY place a pyramid graph becomes layers (docs/proxy-task.md). It follows the cost-model
// contract of src/graph/cost.ts exactly: one 1×1 projection (+BN) per backbone level read by a live node of
// the first copy; per node a fusion then a post-op; `repeats` copies with their own weights, copy k>0
// reading copy k−1's outputs P<l> wherever the graph names C<l>; dead nodes are not built.
import * as tf from '@tensorflow/tfjs-core';

import { backboneLevel, liveNodeIds } from '../graph/live.js';
import type { GraphNode, PostOp, PyramidGraph } from '../graph/types.js';
import { buildFusion, type Fusion } from './fusion.js';
import { batchNorm, conv2d, type Layer, type RunContext, separableConv } from './layers.js';
import type { ParamStore } from './params.js';
import { levelSize, resample } from './resample.js';

export interface PyramidOptions {
  store: ParamStore;
  /** Square input side; fixes each level's map side (ceil(inputSize / 2^l)). */
  inputSize: number;
  /** Width of backbone feature C<l>. */
  backboneChannels: Readonly<Record<number, number>>;
}

/**
 * Backbone features in, P<min>..P<max> out (level → [B, s_l, s_l, channels]). `taps`, when given, receives
 * every node's value in the last copy (feedback reads the nodes it names from there).
 */
export type Pyramid = (
  features: Map<number, tf.Tensor4D>,
  ctx: RunContext,
  taps?: Map<string, tf.Tensor4D>,
) => Map<number, tf.Tensor4D>;

/** Nodes that some output reaches (walking inputs backwards), in graph order. */
export function liveNodes(graph: PyramidGraph): GraphNode[] {
  const live = liveNodeIds(graph);
  return graph.nodes.filter((n) => live.has(n.id));
}

function buildPost(store: ParamStore, label: string, post: PostOp, C: number): Layer | undefined {
  if (post === 'none') return undefined;
  const conv =
    post === 'conv'
      ? conv2d(store, 'neck', `${label}/conv`, C, C, 3)
      : separableConv(store, 'neck', `${label}/sepconv`, C);
  const bn = batchNorm(store, 'neck', `${label}/bn`, C);
  return (x, ctx) => bn(conv(tf.relu(x), ctx), ctx);
}

interface BuiltNode {
  node: GraphNode;
  inputLevels: number[];
  fusion: Fusion;
  post: Layer | undefined;
}

export function buildPyramid(graph: PyramidGraph, options: PyramidOptions): Pyramid {
  const { store, inputSize, backboneChannels } = options;
  const { min, max } = graph.levels;
  const C = graph.channels;
  const nodes = liveNodes(graph);
  const levelOf = new Map<string, number>(nodes.map((n) => [n.id, n.level]));
  const refLevel = (ref: string, where: string): number => {
    const l = backboneLevel(ref) ?? levelOf.get(ref);
    if (l === undefined || (backboneLevel(ref) !== undefined && (l < min || l > max))) {
      throw new Error(`graph ${graph.name}: ${where} reads unknown input "${ref}"`);
    }
    return l;
  };

  // Projections: once, for the backbone levels the live nodes of the first copy read.
  const projected = new Set<number>();
  for (const n of nodes)
    for (const ref of n.inputs) {
      const l = backboneLevel(ref);
      if (l !== undefined) projected.add(l);
    }
  const projections = new Map<number, Layer>();
  for (const l of [...projected].sort((a, b) => a - b)) {
    const cin = backboneChannels[l];
    if (!cin) throw new Error(`graph ${graph.name}: no backbone width for C${l}`);
    const conv = conv2d(store, 'neck', `proj/C${l}`, cin, C, 1);
    const bn = batchNorm(store, 'neck', `proj/C${l}/bn`, C);
    projections.set(l, (x, ctx) => bn(conv(x, ctx), ctx));
  }

  const copies: BuiltNode[][] = [];
  for (let k = 0; k < graph.repeats; k++) {
    copies.push(
      nodes.map((node) => {
        const label = `r${k}/${node.id}`;
        const inputLevels = node.inputs.map((ref) => refLevel(ref, `node ${node.id}`));
        return {
          node,
          inputLevels,
          fusion: buildFusion(store, label, node.op, inputLevels, C),
          post: buildPost(store, label, node.post, C),
        };
      }),
    );
  }

  return (features, ctx, taps) => {
    // Copy 0 reads the projected backbone features (each projected once per call, on first use);
    // copy k>0 reads copy k−1's outputs.
    const projectedCache = new Map<number, tf.Tensor4D>();
    const projected = (l: number): tf.Tensor4D => {
      let t = projectedCache.get(l);
      if (!t) {
        const f = features.get(l);
        const proj = projections.get(l);
        if (!f || !proj) throw new Error(`graph ${graph.name}: backbone feature C${l} missing`);
        projectedCache.set(l, (t = proj(f, ctx)));
      }
      return t;
    };
    let previous: Map<number, tf.Tensor4D> | undefined;
    for (const copy of copies) {
      const source = (l: number): tf.Tensor4D => (previous ? previous.get(l)! : projected(l));
      const env = new Map<string, tf.Tensor4D>();
      for (const b of copy) {
        const size = levelSize(inputSize, b.node.level);
        const xs = b.node.inputs.map((ref, i) => {
          const l = backboneLevel(ref);
          const x = l !== undefined ? source(l) : env.get(ref)!;
          return resample(x, b.inputLevels[i], b.node.level, size);
        });
        const fused = b.fusion(xs, ctx);
        env.set(b.node.id, b.post ? b.post(fused, ctx) : fused);
      }
      const outputs = new Map<number, tf.Tensor4D>();
      for (let l = min; l <= max; l++) {
        const id = graph.outputs[`P${l}`];
        const t = id === undefined ? undefined : env.get(id);
        if (!t) throw new Error(`graph ${graph.name}: output P${l} is not a live node`);
        outputs.set(l, t);
      }
      previous = outputs;
      if (taps && copy === copies[copies.length - 1]) for (const [id, t] of env) taps.set(id, t);
    }
    return previous!;
  };
}
