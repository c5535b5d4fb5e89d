// The pyramid graph, `pyramid-graph/1` (docs/graph-format.md). Plain data: parse.ts validates it,
// canonical.ts hashes it, cost.ts counts it, and src/detector/ is the only place it becomes layers.

export const GRAPH_FORMAT = 'pyramid-graph/1' as const;

/**
 * How the inputs of a node are fused (all inputs are first resampled to the node's level).
 * `self-attention` (one input) and `cross-attention` (queries from inputs[0], keys and values from
 * inputs[1]) attend over positions, as the Feature Pyramid Transformer's interactions do.
 */
export const FUSION_OPS = [
  'sum',
  'attention',
  'weighted',
  'concat',
  'mean',
  'adaptive',
  'self-attention',
  'cross-attention',
] as const;
export type FusionOp = (typeof FUSION_OPS)[number];

/** What runs after fusion. */
export const POST_OPS = ['conv', 'sepconv', 'none'] as const;
export type PostOp = (typeof POST_OPS)[number];

export interface GraphNode {
  /** `[A-Za-z0-9_]{1,64}`, unique, not of the form `C<digits>` (those name backbone features). */
  id: string;
  level: number;
  op: FusionOp;
  /** `C<l>` (backbone feature of level l, min ≤ l ≤ max) or the id of a node listed earlier. */
  inputs: string[];
  post: PostOp;
}

/** How the last backbone pass's pyramid is combined with the one before it. */
export const FEEDBACK_FUSE = ['gate', 'last'] as const;
export type FeedbackFuse = (typeof FEEDBACK_FUSE)[number];

/**
 * Backbone feedback (Recursive Feature Pyramid): after the first pass, the backbone runs again with the
 * value of node `from["C<l>"]` (resampled to level l, through a trainable 1×1 conv) added to its stage
 * output C<l>, and the neck runs again, with the same weights, on the new features; `steps` passes in all.
 * `gate` mixes each pass's outputs with the previous pass's by a learned sigmoid gate (a 1×1 conv C→1
 * shared by all levels); `last` keeps the last pass's outputs.
 */
export interface GraphFeedback {
  steps: number;
  /** `C<l>` → id of the node fed back into backbone level l. */
  from: Record<string, string>;
  fuse: FeedbackFuse;
}

export interface PyramidGraph {
  format: typeof GRAPH_FORMAT;
  name: string;
  /** Backbone inputs C<min>..C<max> exist implicitly; outputs P<min>..P<max> are required. */
  levels: { min: number; max: number };
  channels: number;
  /** The cell is stacked `repeats` times; copy k>0 reads copy k-1's outputs P<l> wherever it names C<l>. */
  repeats: number;
  nodes: GraphNode[];
  /** `P<l>` → node id, one entry per level min..max, each pointing at a node of that level. */
  outputs: Record<string, string>;
  /** Absent: one backbone pass, the usual case. */
  feedback?: GraphFeedback;
  /** Provenance: campaign, trial, seed, AP, cost, source paper… never part of the hash. */
  meta?: Record<string, unknown>;
}

/** Limits for untrusted input (docs/graph-format.md). */
export const GRAPH_LIMITS = {
  maxNodes: 256,
  maxFanIn: 8,
  minLevel: 1,
  maxLevel: 9,
  maxRepeats: 16,
  maxChannels: 4096,
  /** Backbone passes of a graph with feedback (each pass costs a backbone and a neck). */
  maxFeedbackSteps: 4,
  /** The lowest backbone level feedback may enter: C<l> is a stage output computed from C<l−1>. */
  minFeedbackLevel: 2,
  idPattern: /^[A-Za-z0-9_]{1,64}$/,
} as const;

/**
 * Fusion ops whose function family does not depend on the order of their inputs (per-input learned
 * weights or conv blocks permute with the inputs). `attention` is the exception: with g the input of the
 * coarser level and f the other, it computes g + f·sigmoid(globalMaxPool(g)); when both inputs have the
 * same level, g is inputs[1].
 */
export const COMMUTATIVE_OPS: ReadonlySet<FusionOp> = new Set<FusionOp>([
  'sum',
  'weighted',
  'mean',
  'adaptive',
  'concat',
]);
