// The NAS-FPN merge-cell space (Ghiasi et al. 2019; docs/search-spaces.md), decoded with the unused-node rule of
// the graph format made explicit (docs/graph-format.md), exactly as the zoo graph search-spaces/zoo/nas-fpn.graph.json is built.
//
// Decisions per cell i (4 tokens):        input1  — any of the L+i earlier features (offset)
//                                         input2  — any earlier feature except input1 (index into the rest)
//                                         level   — see cells.ts (outputs: among the free levels)
//                                         op      — index into options.ops
// Decode: for each cell, the consumer counts of both inputs are incremented first; then, for an output
// cell, every earlier feature of the cell's level (C<l> included) whose count is still 0 is added into
// the cell (and counted). `sum` (or any op that takes more than two inputs): one node [in1, in2, ...unused],
// post conv. `attention` or `cross-attention` (exactly two inputs): a node [in1, in2] with post none, then
// a sum [that, ...unused] with post conv; with no unused features it is a single node with post conv.
// `self-attention` (one input): a sum [in1, in2, ...unused] with post none, then the self-attention node
// over it with post conv.
import { z } from 'zod';

import { FUSION_OPS, GRAPH_LIMITS, type GraphNode, type PyramidGraph } from '../src/graph/types.js';
import { MAX_ARITY } from '../src/graph/validate.js';
import { parseOptions } from '../src/util/options.js';
import {
  backboneOffsets,
  cellId,
  cellOptionFields,
  CellSpace,
  checkCellCount,
  inputSlots,
  isOutputCell,
  levelCount,
  levelSlot,
  levelToken,
  resolveLevel,
} from './cells.js';
import { pickExcluding, SpaceDecisionError, tokenExcluding } from './space.js';

export const NAS_FPN_SPACE = 'nas-fpn';

/**
 * An output cell's fan-in is 2 + its unused features (C<l> and the intermediate cells of its level), so
 * at most levels + (maxFanIn − 3) cells keep every node within GRAPH_LIMITS.maxFanIn.
 */
const MAX_EXTRA_CELLS = GRAPH_LIMITS.maxFanIn - 3;

export const nasFpnOptionsSchema = z
  .strictObject({
    ...cellOptionFields(7),
    ops: z
      .array(z.enum(FUSION_OPS))
      .min(1)
      .refine((ops) => new Set(ops).size === ops.length, { message: 'ops must not repeat' })
      .default(['sum', 'attention']),
  })
  .superRefine(
    checkCellCount(
      MAX_EXTRA_CELLS,
      `an output cell may absorb every intermediate cell of its level and fan-in is limited to ${GRAPH_LIMITS.maxFanIn}`,
    ),
  );

export type NasFpnOptions = z.output<typeof nasFpnOptionsSchema>;
export type NasFpnOptionsInput = z.input<typeof nasFpnOptionsSchema>;

/** One published NAS-FPN block: (level, combine, input offsets, is_output). */
export interface NasFpnBlock {
  level: number;
  op: string;
  inputs: [number, number];
  output: boolean;
}

/** The published 7-cell NAS-FPN (Ghiasi et al. 2019, levels 3..7, offsets 0–4 are P3–P7). */
export const PUBLISHED_NAS_FPN_BLOCKS: readonly NasFpnBlock[] = [
  { level: 4, op: 'attention', inputs: [1, 3], output: false },
  { level: 4, op: 'sum', inputs: [1, 5], output: false },
  { level: 3, op: 'sum', inputs: [0, 6], output: true },
  { level: 4, op: 'sum', inputs: [6, 7], output: true },
  { level: 5, op: 'attention', inputs: [7, 8], output: true },
  { level: 7, op: 'attention', inputs: [6, 9], output: true },
  { level: 6, op: 'attention', inputs: [9, 10], output: true },
];

const SLOTS_PER_CELL = 4;

export class NasFpnSpace extends CellSpace<NasFpnOptions> {
  constructor(options?: NasFpnOptionsInput) {
    const o = parseOptions(nasFpnOptionsSchema, options, NAS_FPN_SPACE);
    super(NAS_FPN_SPACE, o, (i, feats) => [
      ...inputSlots(i, feats),
      levelSlot(o, i),
      { name: `cell${i}.op`, size: o.ops.length, labels: [...o.ops] },
    ]);
  }

  decode(decisions: readonly number[]): PyramidGraph {
    this.validate(decisions);
    const o = this.options;
    const feats: { id: string; level: number }[] = [];
    for (let l = o.levels.min; l <= o.levels.max; l++) feats.push({ id: `C${l}`, level: l });
    const consumers = feats.map(() => 0);
    const taken: number[] = [];
    const nodes: GraphNode[] = [];
    const outputs: Record<string, string> = {};
    for (let i = 0; i < o.cells; i++) {
      const [t1, t2, tl, top] = decisions.slice(i * SLOTS_PER_CELL, (i + 1) * SLOTS_PER_CELL);
      const in1 = t1;
      const in2 = pickExcluding(feats.length, [in1], t2);
      const level = resolveLevel(o, i, tl, taken);
      const op = o.ops[top];
      consumers[in1]++;
      consumers[in2]++;
      const unused: string[] = [];
      if (isOutputCell(o, i)) {
        for (let f = 0; f < feats.length; f++) {
          if (feats[f].level === level && consumers[f] === 0) {
            unused.push(feats[f].id);
            consumers[f]++;
          }
        }
      }
      const id = cellId(i);
      const pair = [feats[in1].id, feats[in2].id];
      if (MAX_ARITY[op] === 1) {
        const merged = `${id}_in`;
        nodes.push({ id: merged, level, op: 'sum', inputs: [...pair, ...unused], post: 'none' });
        nodes.push({ id, level, op, inputs: [merged], post: 'conv' });
      } else if (MAX_ARITY[op] === 2 && unused.length > 0) {
        const att = `${id}_att`;
        nodes.push({ id: att, level, op, inputs: pair, post: 'none' });
        nodes.push({ id, level, op: 'sum', inputs: [att, ...unused], post: 'conv' });
      } else {
        nodes.push({ id, level, op, inputs: [...pair, ...unused], post: 'conv' });
      }
      if (isOutputCell(o, i)) outputs[`P${level}`] = id;
      feats.push({ id, level });
      consumers.push(0);
    }
    return this.graph(nodes, outputs, decisions);
  }

  encode(graph: PyramidGraph): number[] | undefined {
    const o = this.options;
    const offsetOf = backboneOffsets(o);
    const taken: number[] = [];
    const out: number[] = [];
    let p = 0;
    for (let i = 0; i < o.cells; i++) {
      const n = graph.nodes[p];
      if (!n || n.inputs.length < 2) return undefined;
      const next = graph.nodes[p + 1];
      const chained = n.post === 'none' && next?.inputs[0] === n.id;
      const split = chained && MAX_ARITY[n.op] === 2 && next.op === 'sum';
      const unary = chained && n.op === 'sum' && MAX_ARITY[next.op] === 1;
      const last = split || unary ? next : n;
      const op = unary ? next.op : n.op;
      const in1 = offsetOf.get(n.inputs[0]);
      const in2 = offsetOf.get(n.inputs[1]);
      if (in1 === undefined || in2 === undefined) return undefined;
      const tl = levelToken(o, i, n.level, taken);
      const top = o.ops.indexOf(op as (typeof o.ops)[number]);
      if (tl < 0 || top < 0) return undefined;
      out.push(in1, tokenExcluding([in1], in2), tl, top);
      offsetOf.set(last.id, levelCount(o) + i);
      p += last === n ? 1 : 2;
    }
    if (p !== graph.nodes.length) return undefined;
    // The unused-node rule and outputs are implied by the decisions: accept only an exact round trip.
    return this.roundTrip(graph, out);
  }
}

export function nasFpnSpace(options?: NasFpnOptionsInput): NasFpnSpace {
  return new NasFpnSpace(options);
}

/** Decisions of a list of blocks in the published notation (levels and offsets as in docs/graph-format.md). */
export function nasFpnDecisionsFromBlocks(space: NasFpnSpace, blocks: readonly NasFpnBlock[]): number[] {
  const o = space.options;
  if (blocks.length !== o.cells)
    throw new SpaceDecisionError(space.name, -1, `expected ${o.cells} blocks, got ${blocks.length}`);
  const taken: number[] = [];
  const out: number[] = [];
  blocks.forEach((b, i) => {
    if (b.output !== isOutputCell(o, i)) {
      throw new SpaceDecisionError(
        space.name,
        i * SLOTS_PER_CELL,
        `block ${i}: the last ${levelCount(o)} blocks must be the outputs`,
      );
    }
    const [a, c] = b.inputs;
    const tl = levelToken(o, i, b.level, taken);
    const top = o.ops.indexOf(b.op as (typeof o.ops)[number]);
    out.push(a, tokenExcluding([a], c), tl, top);
  });
  space.validate(out);
  return out;
}

/** The published architecture's decisions in the default space (levels 3..7, 7 cells). */
export const PUBLISHED_NAS_FPN_DECISIONS: readonly number[] = Object.freeze(
  nasFpnDecisionsFromBlocks(new NasFpnSpace(), PUBLISHED_NAS_FPN_BLOCKS),
);
