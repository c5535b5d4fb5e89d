// The "no pyramid" reference for fidelity checks: every output P<l> is the same backbone level's feature,
// projected once and resampled to level l, then the usual post-op — a single-level detector with a
// multi-level head, so the only thing it lacks is cross-scale fusion.
import { GRAPH_FORMAT, type PostOp, type PyramidGraph } from '../graph/types.js';

export function singleLevelGraph(
  source: number,
  levels: { min: number; max: number } = { min: 3, max: 7 },
  channels = 256,
  post: PostOp = 'conv',
): PyramidGraph {
  if (source < levels.min || source > levels.max)
    throw new RangeError(`source level ${source} outside ${levels.min}..${levels.max}`);
  const nodes = [];
  const outputs: Record<string, string> = {};
  for (let l = levels.min; l <= levels.max; l++) {
    nodes.push({ id: `p${l}`, level: l, op: 'sum' as const, inputs: [`C${source}`], post });
    outputs[`P${l}`] = `p${l}`;
  }
  return {
    format: GRAPH_FORMAT,
    name: `single-level-c${source}`,
    levels: { ...levels },
    channels,
    repeats: 1,
    nodes,
    outputs,
    meta: { note: `no pyramid: every P<l> is C${source} resampled, then ${post}` },
  };
}
