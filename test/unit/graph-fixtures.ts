// Small hand-written graphs shared by the graph unit tests (not a test file itself).
import type { GraphNode, PyramidGraph } from '../../src/graph/index.js';

export function graph(
  nodes: GraphNode[],
  outputs: Record<string, string>,
  extra: Partial<PyramidGraph> = {},
): PyramidGraph {
  return {
    format: 'pyramid-graph/1',
    name: 'tiny',
    levels: { min: 3, max: 4 },
    channels: 8,
    repeats: 1,
    nodes,
    outputs,
    ...extra,
  };
}

export const n = (
  id: string,
  level: number,
  op: GraphNode['op'],
  inputs: string[],
  post: GraphNode['post'] = 'conv',
): GraphNode => ({ id, level, op, inputs, post });

/** A two-level FPN: a = conv(C4), b = conv(C3 + up(a)). */
export const tinyFpn = (): PyramidGraph =>
  graph([n('a', 4, 'sum', ['C4']), n('b', 3, 'sum', ['C3', 'a'])], { P3: 'b', P4: 'a' });
