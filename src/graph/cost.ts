// Cost model of the neck (params and MACs). CONTRACT — src/detector/ must build exactly this, and a test
// checks the built model's trainable-parameter count and per-layer MAC count against these numbers:
//
// - Feature map side at level l: s_l = ceil(inputSize / 2^l) (square images; stride-2 'same' convs/pools).
// - Backbone features C<l> have `backboneChannels[l]` channels (PROXY_BACKBONE_CHANNELS by default).
// - Projection, once (not per repeat), for every C<l> that a live node of the first copy reads:
//   1×1 conv cin→C without bias + BN:     params cin·C + 2C        MACs s_l²·cin·C
// - Resampling (max-pool down, nearest up): no params, no MACs.
// - Fusion at a node of level l with n inputs, C = graph.channels:
//   sum, mean, attention: 0 params, 0 MACs
//   weighted: n params (one scalar per input), 0 MACs
//   concat:   1×1 conv n·C→C with bias:   params n·C·C + C         MACs s_l²·n·C·C
//   adaptive: per input a 1×1 conv C→1 with bias (softmax over inputs per pixel):
//             params n·(C+1)             MACs n·s_l²·C
// - Post-op (ReLU first, no params):
//   conv:    3×3 conv C→C without bias + BN:   params 9C² + 2C       MACs s_l²·9C²
//   sepconv: depthwise 3×3 + pointwise 1×1 (no bias) + BN: params 9C + C² + 2C   MACs s_l²·(9C + C²)
//   none:    0
// - Each of the `repeats` copies has its own weights. Dead nodes cost nothing. BN counts gamma and beta
//   only (moving statistics are not trainable parameters). Elementwise ops are not counted as MACs.
//
// The implementation (graphCost) lives below this contract.
import { liveNodeIds, RESERVED_ID } from './live.js';
import type { FusionOp, PostOp, PyramidGraph } from './types.js';

/** Channels of the proxy backbone's features C1..C9 (C6+ are max-pools of C5, so they keep C5's width). */
export const PROXY_BACKBONE_CHANNELS: Readonly<Record<number, number>> = {
  1: 16,
  2: 16,
  3: 32,
  4: 64,
  5: 128,
  6: 128,
  7: 128,
  8: 128,
  9: 128,
};

export interface CostOptions {
  /** Square input side in pixels (positive integer). */
  inputSize: number;
  /** Channels of C<l> by level; PROXY_BACKBONE_CHANNELS by default. */
  backboneChannels?: Readonly<Record<number, number>>;
}

/** The cost of one live node in one copy of the cell (every copy costs the same). */
export interface NodeCost {
  id: string;
  level: number;
  op: FusionOp;
  post: PostOp;
  /** Feature-map side s_l at the node's level. */
  side: number;
  fusionParams: number;
  fusionMacs: number;
  postParams: number;
  postMacs: number;
  params: number;
  macs: number;
}

export interface ProjectionCost {
  level: number;
  inChannels: number;
  side: number;
  params: number;
  macs: number;
}

export interface GraphCost {
  /** Projection + repeats × Σ perNode. */
  params: number;
  macs: number;
  /** Live nodes in graph order, for one copy. */
  perNode: NodeCost[];
  /** The 1×1 projections of the backbone features the first copy reads (once, not per repeat). */
  projection: { params: number; macs: number; levels: ProjectionCost[] };
}

/** s_l = ceil(inputSize / 2^l). */
export function featureSide(inputSize: number, level: number): number {
  return Math.ceil(inputSize / 2 ** level);
}

function fusionCost(op: FusionOp, n: number, C: number, s: number): [params: number, macs: number] {
  switch (op) {
    case 'sum':
    case 'mean':
    case 'attention':
      return [0, 0];
    case 'weighted':
      return [n, 0];
    case 'concat':
      return [n * C * C + C, s * s * n * C * C];
    case 'adaptive':
      return [n * (C + 1), n * s * s * C];
  }
}

function postCost(post: PostOp, C: number, s: number): [params: number, macs: number] {
  switch (post) {
    case 'conv':
      return [9 * C * C + 2 * C, s * s * 9 * C * C];
    case 'sepconv':
      return [9 * C + C * C + 2 * C, s * s * (9 * C + C * C)];
    case 'none':
      return [0, 0];
  }
}

/** Params and MACs of the neck, exactly per the CONTRACT above. Expects a valid graph (parseGraph). */
export function graphCost(graph: PyramidGraph, options: CostOptions): GraphCost {
  const { inputSize, backboneChannels = PROXY_BACKBONE_CHANNELS } = options;
  if (!Number.isInteger(inputSize) || inputSize < 1)
    throw new RangeError(`inputSize must be a positive integer, got ${inputSize}`);
  const C = graph.channels;
  const live = liveNodeIds(graph);
  const perNode: NodeCost[] = [];
  const readLevels = new Set<number>();
  for (const node of graph.nodes) {
    if (!live.has(node.id)) continue;
    const side = featureSide(inputSize, node.level);
    const [fusionParams, fusionMacs] = fusionCost(node.op, node.inputs.length, C, side);
    const [postParams, postMacs] = postCost(node.post, C, side);
    perNode.push({
      id: node.id,
      level: node.level,
      op: node.op,
      post: node.post,
      side,
      fusionParams,
      fusionMacs,
      postParams,
      postMacs,
      params: fusionParams + postParams,
      macs: fusionMacs + postMacs,
    });
    for (const ref of node.inputs) if (RESERVED_ID.test(ref)) readLevels.add(Number(ref.slice(1)));
  }
  const levels = [...readLevels]
    .sort((a, b) => a - b)
    .map((level): ProjectionCost => {
      const inChannels = backboneChannels[level];
      if (!Number.isInteger(inChannels) || inChannels < 1)
        throw new RangeError(`no backbone channel count for C${level}`);
      const side = featureSide(inputSize, level);
      return { level, inChannels, side, params: inChannels * C + 2 * C, macs: side * side * inChannels * C };
    });
  const sum = (xs: Array<{ params: number; macs: number }>, key: 'params' | 'macs') =>
    xs.reduce((t, x) => t + x[key], 0);
  const projection = { params: sum(levels, 'params'), macs: sum(levels, 'macs'), levels };
  return {
    params: projection.params + graph.repeats * sum(perNode, 'params'),
    macs: projection.macs + graph.repeats * sum(perNode, 'macs'),
    perNode,
    projection,
  };
}
