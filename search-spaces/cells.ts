// What the merge-cell spaces (nas-fpn, bifpn-cells) share: the feature list a cell can read, the
// output-level rule, the zod fields of their options, structural comparison for encode(), and the
// CellSpace base class (vocabulary methods, graph envelope, encode's round-trip check).
//
// Features are numbered by offset: 0..L-1 are the backbone inputs C<min>..C<max>, L+i is cell i.
// The last L cells are the outputs, one per level. An output cell picks its level among the levels not
// yet taken, as an index into them in ascending order (so the published NAS-FPN order P3,P4,P5,P7,P6 is
// the tokens 0,0,0,1,0 and the last output cell has a single choice). Intermediate cells pick any level
// except the finest.
import { z } from 'zod';

import { GRAPH_FORMAT, GRAPH_LIMITS, type GraphNode, type PyramidGraph } from '../src/graph/types.js';
import {
  type DecisionSlot,
  mutateVocabulary,
  type Rng,
  sampleVocabulary,
  type SearchSpace,
  validateAgainstVocabulary,
  vocabularySize,
} from './space.js';

export interface CellLayout {
  cells: number;
  levels: { min: number; max: number };
}

export const levelCount = (layout: CellLayout): number => layout.levels.max - layout.levels.min + 1;
export const isOutputCell = (layout: CellLayout, cell: number): boolean => cell >= layout.cells - levelCount(layout);
export const cellId = (cell: number): string => `cell${cell}`;

/** Labels of the features cell `cell` may read: C<min>..C<max>, then cell0..cell<cell-1>. */
export function featureLabels(layout: CellLayout, cell: number): string[] {
  const out: string[] = [];
  for (let l = layout.levels.min; l <= layout.levels.max; l++) out.push(`C${l}`);
  for (let k = 0; k < cell; k++) out.push(cellId(k));
  return out;
}

/** The input1 and input2 decisions of a cell that may read `feats` (see featureLabels). */
export function inputSlots(cell: number, feats: readonly string[]): DecisionSlot[] {
  return [
    { name: `cell${cell}.input1`, size: feats.length, labels: feats },
    // input2's token indexes the features with input1 removed, so its labels are positional.
    { name: `cell${cell}.input2`, size: feats.length - 1, labels: feats.slice(1).map((_, j) => `other${j}`) },
  ];
}

/** Feature id → offset, holding the backbone inputs C<min>..C<max> (encode() adds the cells). */
export function backboneOffsets(layout: CellLayout): Map<string, number> {
  const offsetOf = new Map<string, number>();
  for (let l = layout.levels.min; l <= layout.levels.max; l++) offsetOf.set(`C${l}`, l - layout.levels.min);
  return offsetOf;
}

/** The level decision of cell `cell`. */
export function levelSlot(layout: CellLayout, cell: number): DecisionSlot {
  const { min, max } = layout.levels;
  const name = `cell${cell}.level`;
  if (!isOutputCell(layout, cell)) {
    const labels: string[] = [];
    for (let l = min + 1; l <= max; l++) labels.push(`L${l}`);
    return { name, size: labels.length, labels };
  }
  const k = cell - (layout.cells - levelCount(layout)); // how many output levels are already taken
  const size = levelCount(layout) - k;
  return { name, size, labels: Array.from({ length: size }, (_, j) => `free${j}`) };
}

/** The level of cell `cell` from its token; `taken` holds the output levels chosen so far (mutated). */
export function resolveLevel(layout: CellLayout, cell: number, token: number, taken: number[]): number {
  const { min, max } = layout.levels;
  if (!isOutputCell(layout, cell)) return min + 1 + token;
  const free: number[] = [];
  for (let l = min; l <= max; l++) if (!taken.includes(l)) free.push(l);
  const level = free[token];
  taken.push(level);
  return level;
}

/** The inverse of resolveLevel, or -1 when `level` is not allowed there. */
export function levelToken(layout: CellLayout, cell: number, level: number, taken: number[]): number {
  const { min, max } = layout.levels;
  if (!isOutputCell(layout, cell)) return level > min && level <= max ? level - min - 1 : -1;
  const free: number[] = [];
  for (let l = min; l <= max; l++) if (!taken.includes(l)) free.push(l);
  const token = free.indexOf(level);
  if (token >= 0) taken.push(level);
  return token;
}

/** zod fields every cell space has. `maxExtraCells` bounds cells − levels (fan-in limits). */
export function cellOptionFields(defaultCells: number) {
  return {
    cells: z.int().min(1).max(64).default(defaultCells),
    levels: z
      .strictObject({
        min: z.int().min(GRAPH_LIMITS.minLevel).max(GRAPH_LIMITS.maxLevel),
        max: z.int().min(GRAPH_LIMITS.minLevel).max(GRAPH_LIMITS.maxLevel),
      })
      .refine((l) => l.min < l.max, { message: 'levels.min must be below levels.max', path: ['max'] })
      .default({ min: 3, max: 7 }),
    repeats: z.int().min(1).max(GRAPH_LIMITS.maxRepeats).default(1),
    channels: z.int().min(1).max(GRAPH_LIMITS.maxChannels).default(64),
  };
}

/** Adds the cells-vs-levels check to a parsed options object (as a zod superRefine). */
export function checkCellCount(maxExtraCells: number, why: string) {
  return (o: CellLayout, ctx: z.RefinementCtx): void => {
    const L = o.levels.max - o.levels.min + 1;
    if (o.cells < L) {
      ctx.addIssue({
        code: 'custom',
        path: ['cells'],
        message: `must be at least the number of levels (${L}): the last ${L} cells are the outputs`,
      });
    } else if (o.cells - L > maxExtraCells) {
      ctx.addIssue({
        code: 'custom',
        path: ['cells'],
        message: `must be at most levels + ${maxExtraCells} = ${L + maxExtraCells} (${why})`,
      });
    }
  };
}

/**
 * True when a and b have the same levels, channels, repeats, and the same nodes in the same order (op,
 * level, post, inputs) and outputs, with node ids matched by position. Names and meta are ignored.
 */
export function sameStructure(a: PyramidGraph, b: PyramidGraph): boolean {
  if (a.levels.min !== b.levels.min || a.levels.max !== b.levels.max) return false;
  if (a.channels !== b.channels || a.repeats !== b.repeats || a.nodes.length !== b.nodes.length) return false;
  const rename = new Map<string, string>();
  a.nodes.forEach((n, k) => rename.set(n.id, b.nodes[k].id));
  const mapId = (id: string): string => rename.get(id) ?? id; // C<l> stay as they are
  for (let k = 0; k < a.nodes.length; k++) {
    const x = a.nodes[k];
    const y = b.nodes[k];
    if (x.op !== y.op || x.level !== y.level || x.post !== y.post || x.inputs.length !== y.inputs.length) return false;
    if (x.inputs.some((id, j) => mapId(id) !== y.inputs[j])) return false;
  }
  const ka = Object.keys(a.outputs).sort();
  const kb = Object.keys(b.outputs).sort();
  if (ka.join() !== kb.join()) return false;
  return ka.every((key) => mapId(a.outputs[key]) === b.outputs[key]);
}

/** What a cell space's options hold at least. */
export interface CellSpaceOptions extends CellLayout {
  channels: number;
  repeats: number;
}

/**
 * The part of a cell space that only depends on its vocabulary (sample, mutate, size, validate) and on
 * its options (the graph envelope), plus the exact round-trip check encode() ends with. A subclass gives
 * the per-cell decisions and implements decode and encode.
 */
export abstract class CellSpace<O extends CellSpaceOptions> implements SearchSpace<O> {
  readonly vocabulary: readonly DecisionSlot[];
  readonly decisionCount: number;

  protected constructor(
    readonly name: string,
    readonly options: Readonly<O>,
    /** The decisions of cell `cell`, which may read the features `feats` (featureLabels). */
    cellSlots: (cell: number, feats: string[]) => DecisionSlot[],
  ) {
    const slots: DecisionSlot[] = [];
    for (let i = 0; i < options.cells; i++) slots.push(...cellSlots(i, featureLabels(options, i)));
    this.vocabulary = slots;
    this.decisionCount = slots.length;
  }

  abstract decode(decisions: readonly number[]): PyramidGraph;
  abstract encode(graph: PyramidGraph): number[] | undefined;

  sample(rng: Rng): number[] {
    return sampleVocabulary(this.vocabulary, rng);
  }

  mutate(decisions: readonly number[], rng: Rng): number[] {
    return mutateVocabulary(this.name, this.vocabulary, decisions, rng);
  }

  size(): bigint {
    return vocabularySize(this.vocabulary);
  }

  validate(decisions: readonly number[]): void {
    validateAgainstVocabulary(this.name, this.vocabulary, decisions);
  }

  /** The decoded graph: the space's nodes and outputs in the envelope of its options. */
  protected graph(nodes: GraphNode[], outputs: Record<string, string>, decisions: readonly number[]): PyramidGraph {
    const o = this.options;
    return {
      format: GRAPH_FORMAT,
      name: this.name,
      levels: { ...o.levels },
      channels: o.channels,
      repeats: o.repeats,
      nodes,
      outputs,
      meta: { space: this.name, decisions: [...decisions] },
    };
  }

  /**
   * encode()'s last step: `decisions` when they are valid and decode to `graph` (structurally), else
   * undefined. Rules implied by the decisions (outputs, nas-fpn's unused nodes) are checked this way.
   */
  protected roundTrip(graph: PyramidGraph, decisions: number[]): number[] | undefined {
    try {
      this.validate(decisions);
    } catch {
      return undefined;
    }
    return sameStructure(graph, this.decode(decisions)) ? decisions : undefined;
  }
}
