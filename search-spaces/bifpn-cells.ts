// A BiFPN-style cell space (Tan et al. 2020) in the same style as nas-fpn: N cells, each a `weighted`
// (fast normalized fusion) node of 2 or 3 earlier features with post `sepconv`; the last L cells are the
// outputs, one per level (same level rule as nas-fpn, see cells.ts).
//
// Decisions per cell i (4 tokens):  input1 — any of the L+i earlier features (offset)
//                                   input2 — any earlier feature except input1
//                                   input3 — 0: none (fan-in 2); t ≥ 1: the (t−1)-th feature other than
//                                            input1 and input2 (fan-in 3)
//                                   level
// Unlike nas-fpn there is no unused-node rule: BiFPN nodes have fan-in 2–3 by design, and a cell no
// output reaches is simply dead (dropped by the canonical form, reported as a DEAD_NODE warning).
// The BiFPN layer itself (P6td, P5td, P4td, then P3..P7) is a point of the default space.
import { z } from 'zod';

import type { GraphNode, PyramidGraph } from '../src/graph/types.js';
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
import { pickExcluding, tokenExcluding } from './space.js';

export const BIFPN_CELLS_SPACE = 'bifpn-cells';

export const bifpnCellsOptionsSchema = z
  .strictObject(cellOptionFields(8))
  .superRefine(checkCellCount(64, 'node limit'));

export type BifpnCellsOptions = z.output<typeof bifpnCellsOptionsSchema>;
export type BifpnCellsOptionsInput = z.input<typeof bifpnCellsOptionsSchema>;

const SLOTS_PER_CELL = 4;

export class BifpnCellsSpace extends CellSpace<BifpnCellsOptions> {
  constructor(options?: BifpnCellsOptionsInput) {
    const o = parseOptions(bifpnCellsOptionsSchema, options, BIFPN_CELLS_SPACE);
    super(BIFPN_CELLS_SPACE, o, (i, feats) => [
      ...inputSlots(i, feats),
      {
        name: `cell${i}.input3`,
        size: feats.length - 1,
        labels: ['none', ...feats.slice(2).map((_, j) => `other${j}`)],
      },
      levelSlot(o, i),
    ]);
  }

  decode(decisions: readonly number[]): PyramidGraph {
    this.validate(decisions);
    const o = this.options;
    const feats: string[] = [];
    for (let l = o.levels.min; l <= o.levels.max; l++) feats.push(`C${l}`);
    const taken: number[] = [];
    const nodes: GraphNode[] = [];
    const outputs: Record<string, string> = {};
    for (let i = 0; i < o.cells; i++) {
      const [t1, t2, t3, tl] = decisions.slice(i * SLOTS_PER_CELL, (i + 1) * SLOTS_PER_CELL);
      const in2 = pickExcluding(feats.length, [t1], t2);
      const inputs = [feats[t1], feats[in2]];
      if (t3 > 0) inputs.push(feats[pickExcluding(feats.length, [t1, in2], t3 - 1)]);
      const level = resolveLevel(o, i, tl, taken);
      const id = cellId(i);
      nodes.push({ id, level, op: 'weighted', inputs, post: 'sepconv' });
      if (isOutputCell(o, i)) outputs[`P${level}`] = id;
      feats.push(id);
    }
    return this.graph(nodes, outputs, decisions);
  }

  encode(graph: PyramidGraph): number[] | undefined {
    const o = this.options;
    if (graph.nodes.length !== o.cells) return undefined;
    const offsetOf = backboneOffsets(o);
    const taken: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < o.cells; i++) {
      const n = graph.nodes[i];
      if (n.op !== 'weighted' || n.post !== 'sepconv' || n.inputs.length < 2 || n.inputs.length > 3) return undefined;
      const offs = n.inputs.map((id) => offsetOf.get(id));
      if (offs.some((x) => x === undefined)) return undefined;
      const [a, b, c] = offs as number[];
      const tl = levelToken(o, i, n.level, taken);
      if (tl < 0) return undefined;
      out.push(a, tokenExcluding([a], b), c === undefined ? 0 : 1 + tokenExcluding([a, b], c), tl);
      offsetOf.set(n.id, levelCount(o) + i);
    }
    return this.roundTrip(graph, out);
  }
}

export function bifpnCellsSpace(options?: BifpnCellsOptionsInput): BifpnCellsSpace {
  return new BifpnCellsSpace(options);
}
