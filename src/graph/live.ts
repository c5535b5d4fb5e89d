// Which nodes are live (reach an output). Dead nodes cost nothing, are dropped by the canonical form and
// are reported as warnings by validation.
import type { PyramidGraph } from './types.js';

/**
 * Ids of the nodes from which some output, or a node fed back into the backbone, is reachable (works on
 * unvalidated graphs: unknown ids are skipped).
 */
export function liveNodeIds(graph: Pick<PyramidGraph, 'nodes' | 'outputs' | 'feedback'>): Set<string> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const live = new Set<string>();
  const roots = [...Object.values(graph.outputs), ...Object.values(graph.feedback?.from ?? {})];
  const stack = roots.filter((id) => byId.has(id));
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    for (const input of byId.get(id)!.inputs) if (byId.has(input) && !live.has(input)) stack.push(input);
  }
  return live;
}

/** `C<l>` → l, or undefined when the reference is not a backbone feature name. */
export function backboneLevel(ref: string): number | undefined {
  const m = /^C([1-9][0-9]*)$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/** Ids that would be read as backbone features: `C` followed by digits (C03 included). */
export const RESERVED_ID = /^C[0-9]+$/;
