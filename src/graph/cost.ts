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
//   self-attention, cross-attention: query, key and value 1×1 convs C→C without bias, then
//             softmax(q·kᵀ/√C)·v over the s_l² positions, added to the query input (residual):
//             params 3C²                 MACs 3·s_l²·C² + 2·s_l⁴·C (the two position-by-position products)
// - Post-op (ReLU first, no params):
//   conv:    3×3 conv C→C without bias + BN:   params 9C² + 2C       MACs s_l²·9C²
//   sepconv: depthwise 3×3 + pointwise 1×1 (no bias) + BN: params 9C + C² + 2C   MACs s_l²·(9C + C²)
//   none:    0
// - Feedback (T = feedback.steps backbone passes): the neck runs T times with the same weights, so its
//   MACs (projections included) count T times and its params once. Plus, per entry C<l> ← node:
//   1×1 conv C→c_l with bias (zero-initialised):  params C·c_l + c_l       MACs (T−1)·s_l²·C·c_l
//   and with fuse "gate", one 1×1 conv C→1 with bias shared by all levels:
//                                                 params C + 1             MACs (T−1)·Σ_{l=min..max} s_l²·C
//   The backbone's own passes after the first are the detector's MACs, not the neck's.
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
  /** Projection + repeats × Σ perNode, × feedback steps for MACs; plus feedback's own convs. */
  params: number;
  macs: number;
  /** Live nodes in graph order, for one copy. */
  perNode: NodeCost[];
  /** The 1×1 projections of the backbone features the first copy reads (once, not per repeat). */
  projection: { params: number; macs: number; levels: ProjectionCost[] };
  /** The feedback convs and gate (zero without feedback). */
  feedback: { params: number; macs: number };
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
    case 'self-attention':
    case 'cross-attention':
      return [3 * C * C, 3 * s * s * C * C + 2 * s ** 4 * C];
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
  const passes = graph.feedback?.steps ?? 1;
  const feedback = feedbackCost(graph, inputSize, backboneChannels);
  return {
    params: projection.params + graph.repeats * sum(perNode, 'params') + feedback.params,
    macs: passes * (projection.macs + graph.repeats * sum(perNode, 'macs')) + feedback.macs,
    perNode,
    projection,
    feedback,
  };
}

function feedbackCost(
  graph: PyramidGraph,
  inputSize: number,
  backboneChannels: Readonly<Record<number, number>>,
): { params: number; macs: number } {
  const fb = graph.feedback;
  if (!fb) return { params: 0, macs: 0 };
  const C = graph.channels;
  const extra = fb.steps - 1;
  let params = 0,
    macs = 0;
  for (const key of Object.keys(fb.from)) {
    const l = Number(key.slice(1));
    const cl = backboneChannels[l];
    if (!Number.isInteger(cl) || cl < 1) throw new RangeError(`no backbone channel count for C${l}`);
    const s = featureSide(inputSize, l);
    params += C * cl + cl;
    macs += extra * s * s * C * cl;
  }
  if (fb.fuse === 'gate') {
    params += C + 1;
    for (let l = graph.levels.min; l <= graph.levels.max; l++) macs += extra * featureSide(inputSize, l) ** 2 * C;
  }
  return { params, macs };
}

/**
 * The full-scale setting costs are also reported at, so that a figure can be compared with published
 * necks: a ResNet-50 backbone (C1 is its 64-channel stem, C2..C5 its stages; C6+ are max-pools of C5 as
 * in the proxy, so they keep C5's 2048 channels), 256 channels and a 640×640 input. The graph keeps its
 * own repeats.
 */
export const FULL_SCALE = {
  backbone: 'ResNet-50',
  channels: 256,
  inputSize: 640,
  backboneChannels: { 1: 64, 2: 256, 3: 512, 4: 1024, 5: 2048, 6: 2048, 7: 2048, 8: 2048, 9: 2048 },
} as const;

/** Params and MACs of the neck at FULL_SCALE, with the setting spelled out beside the figures. */
export interface FullScaleCost {
  scope: 'neck';
  setting: string;
  backbone: string;
  channels: number;
  repeats: number;
  imageSize: number;
  params: number;
  macs: number;
}

export function fullScaleCost(graph: PyramidGraph): FullScaleCost {
  const { backbone, channels, inputSize, backboneChannels } = FULL_SCALE;
  const c = graphCost({ ...graph, channels }, { inputSize, backboneChannels });
  return {
    scope: 'neck',
    setting: fullScaleText(),
    backbone,
    channels,
    repeats: graph.repeats,
    imageSize: inputSize,
    params: c.params,
    macs: c.macs,
  };
}

/** How the full-scale setting is named next to its figures. */
export function fullScaleText(): string {
  const b = FULL_SCALE.backboneChannels;
  return (
    `full scale: ${FULL_SCALE.backbone} in-channels ${b[3]}/${b[4]}/${b[5]} for C3/C4/C5 (C6+ ${b[6]}), ` +
    `${FULL_SCALE.channels} channels, ${FULL_SCALE.inputSize}×${FULL_SCALE.inputSize} input`
  );
}
