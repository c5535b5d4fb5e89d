// What the three renderers share: the op palette, text escaping and a column layout (levels as rows).
import { liveNodeIds, RESERVED_ID } from './live.js';
import type { FusionOp, PostOp, PyramidGraph } from './types.js';

/** One colour per fusion op (colour-blind-friendly Okabe–Ito hues, light enough for black text). */
export const OP_COLORS: Readonly<Record<FusionOp, string>> = {
  sum: '#9fd4f5',
  attention: '#f7c873',
  weighted: '#8fd6bd',
  concat: '#f2a7c4',
  mean: '#d8c7ef',
  adaptive: '#f5e88f',
  'self-attention': '#e7a98a',
  'cross-attention': '#b9c98a',
};
export const POST_LABELS: Readonly<Record<PostOp, string>> = { conv: 'conv3×3', sepconv: 'sepconv3×3', none: '—' };

export function escapeXml(text: string): string {
  return (
    text
      .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
      // Characters XML 1.0 forbids even as references (C0 controls except tab/newline/CR, lone surrogates).
      .replace(
        // eslint-disable-next-line no-control-regex -- matching control characters is the point
        /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
        '\ufffd',
      )
  );
}

export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export interface PlacedNode {
  id: string;
  index: number;
  level: number;
  /** 0 is the backbone column; nodes start at 1. */
  column: number;
  live: boolean;
}

export interface Layout {
  levels: number[];
  nodes: PlacedNode[];
  columns: number;
}

/**
 * Columns by dependency depth, compacted: a node goes to the first column right of all its inputs whose
 * cell (column, level) is free, so a row never stacks two boxes and edges always run left to right.
 */
export function layout(graph: PyramidGraph): Layout {
  const live = liveNodeIds(graph);
  const columnOf = new Map<string, number>();
  const taken = new Set<string>();
  const nodes = graph.nodes.map((node, index): PlacedNode => {
    let column = 1;
    for (const ref of node.inputs)
      if (!RESERVED_ID.test(ref) && columnOf.has(ref)) column = Math.max(column, columnOf.get(ref)! + 1);
    while (taken.has(`${column}:${node.level}`)) column++;
    taken.add(`${column}:${node.level}`);
    if (!columnOf.has(node.id)) columnOf.set(node.id, column);
    return { id: node.id, index, level: node.level, column, live: live.has(node.id) };
  });
  const levels: number[] = [];
  for (let l = graph.levels.min; l <= graph.levels.max; l++) levels.push(l);
  return { levels, nodes, columns: Math.max(1, ...nodes.map((n) => n.column)) };
}
