// Projection: the same pyramid on another level range or width, so a reference design (the zoo is
// drawn over P3–P7) can be compared with a search over, say, P3–P5. A node or backbone feature above
// the range collapses onto the coarsest kept level, one below it onto the finest; inputs that become
// the same feature are merged, and nodes no output reaches any more are dropped. For FPN and PAFPN
// this is exactly the design on the smaller range; for graphs whose coarse levels feed finer ones
// (NAS-FPN) the coarse path survives, computed at the coarsest kept level.
import { PyramidNasError } from '../util/errors.js';
import { formatIssue } from './issues.js';
import { backboneLevel, liveNodeIds } from './live.js';
import { MAX_NAME_LENGTH } from './schema.js';
import { GRAPH_LIMITS, type GraphNode, type PyramidGraph } from './types.js';
import { MIN_ARITY, parseGraph } from './validate.js';

export interface ProjectionTarget {
  levels: { min: number; max: number };
  /** Absent: the graph keeps its own width. */
  channels?: number;
}

/**
 * `graph` on `target.levels` (which must lie within the graph's own range: levels cannot be invented)
 * and, if given, `target.channels`. The result is validated; its `meta.projectedFrom` names the source.
 */
export function projectGraph(graph: PyramidGraph, target: ProjectionTarget): PyramidGraph {
  const { min, max } = target.levels;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min > max) {
    throw new PyramidNasError('PROJECTION', `bad target levels ${min}..${max}`, { usage: true });
  }
  if (min < graph.levels.min || max > graph.levels.max) {
    throw new PyramidNasError(
      'PROJECTION',
      `graph "${graph.name}" covers P${graph.levels.min}–P${graph.levels.max}; it cannot be projected onto ` +
        `P${min}–P${max} (levels outside its range would have to be invented)`,
      { usage: true },
    );
  }
  const clamp = (level: number) => Math.min(max, Math.max(min, level));
  const sameRange = min === graph.levels.min && max === graph.levels.max;
  const mapRef = (ref: string) => {
    const level = backboneLevel(ref);
    return level === undefined ? ref : `C${clamp(level)}`;
  };
  const nodes: GraphNode[] = graph.nodes.map((node) => {
    const inputs = [...new Set(node.inputs.map(mapRef))];
    // Merged inputs can leave too few for the op (attention of C6 and C7 → C5 alone): a plain sum of one.
    const op = inputs.length < MIN_ARITY[node.op] ? 'sum' : node.op;
    return { ...node, level: clamp(node.level), op, inputs };
  });
  const outputs: Record<string, string> = {};
  for (let l = min; l <= max; l++) outputs[`P${l}`] = graph.outputs[`P${l}`];
  // Feedback keeps the entries whose backbone level is still in range.
  let feedback = graph.feedback;
  if (feedback) {
    const from = Object.fromEntries(
      Object.entries(feedback.from).filter(([key]) => {
        const l = backboneLevel(key)!;
        return l >= Math.max(min, GRAPH_LIMITS.minFeedbackLevel) && l <= max;
      }),
    );
    feedback = Object.keys(from).length > 0 ? { ...feedback, from } : undefined;
  }
  const live = liveNodeIds({ nodes, outputs, feedback });
  const suffix = sameRange ? '' : `-p${min}p${max}`;
  const projected: PyramidGraph = {
    ...graph,
    name: graph.name.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix,
    levels: { min, max },
    channels: target.channels ?? graph.channels,
    nodes: nodes.filter((n) => live.has(n.id)),
    outputs,
    meta: {
      ...graph.meta,
      projectedFrom: { name: graph.name, levels: { ...graph.levels }, channels: graph.channels },
    },
  };
  if (feedback) projected.feedback = feedback;
  else delete projected.feedback;
  const checked = parseGraph(projected);
  if (!checked.ok) {
    const problems = checked.errors.map((e) => formatIssue(e)).join('; ');
    throw new PyramidNasError('PROJECTION', `projecting "${graph.name}" onto P${min}–P${max}: ${problems}`, {
      usage: true,
    });
  }
  return checked.graph;
}
