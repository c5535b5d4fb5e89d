// Graph transforms that must not change the canonical hash (node order, ids, commutative input order,
// dead nodes). Each takes a seed so a failing property replays.
import { RESERVED_ID } from '../graph/live.js';
import { COMMUTATIVE_OPS, type GraphNode, type PyramidGraph } from '../graph/types.js';
import { seededRandom, shuffle } from './rng.js';

const clone = (g: PyramidGraph): PyramidGraph => structuredClone(g);

/** The same graph with its nodes in another (random) topological order. */
export function shuffleNodes(graph: PyramidGraph, seed: number): PyramidGraph {
  const random = seededRandom(seed);
  const g = clone(graph);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const placed = new Set<string>();
  const order: GraphNode[] = [];
  let pending = [...g.nodes];
  while (pending.length > 0) {
    const ready = pending.filter((n) => n.inputs.every((r) => RESERVED_ID.test(r) || placed.has(r) || !byId.has(r)));
    const pick = ready[Math.floor(random() * ready.length)];
    order.push(pick);
    placed.add(pick.id);
    pending = pending.filter((n) => n !== pick);
  }
  g.nodes = order;
  return g;
}

/** The same graph with every node id replaced by a fresh one (inputs and outputs follow). */
export function renameIds(graph: PyramidGraph, seed: number): PyramidGraph {
  const random = seededRandom(seed);
  const g = clone(graph);
  const fresh = new Map<string, string>();
  const order = shuffle(
    g.nodes.map((_, i) => i),
    random,
  );
  order.forEach((i, k) => fresh.set(g.nodes[i].id, `r${Math.floor(random() * 1e6)}_${k}`));
  const map = (id: string) => fresh.get(id) ?? id;
  for (const n of g.nodes) {
    n.id = map(n.id);
    n.inputs = n.inputs.map(map);
  }
  for (const key of Object.keys(g.outputs)) g.outputs[key] = map(g.outputs[key]);
  if (g.feedback) for (const key of Object.keys(g.feedback.from)) g.feedback.from[key] = map(g.feedback.from[key]);
  return g;
}

/**
 * Shuffles the inputs of commutative ops, and swaps attention inputs when their levels differ (attention
 * reads [f, g] by level; with equal levels the order is meaningful and is kept).
 */
export function swapCommutativeInputs(graph: PyramidGraph, seed: number): PyramidGraph {
  const random = seededRandom(seed);
  const g = clone(graph);
  const levelOf = new Map(g.nodes.map((n) => [n.id, n.level]));
  const level = (ref: string) => (RESERVED_ID.test(ref) ? Number(ref.slice(1)) : levelOf.get(ref));
  for (const n of g.nodes) {
    if (COMMUTATIVE_OPS.has(n.op)) n.inputs = shuffle(n.inputs, random);
    else if (n.op === 'attention' && level(n.inputs[0]) !== level(n.inputs[1]) && random() < 0.5)
      n.inputs = [n.inputs[1], n.inputs[0]];
  }
  return g;
}

/** Appends `count` nodes that no output reaches (they read random earlier features). */
export function addDeadNodes(graph: PyramidGraph, count: number, seed: number): PyramidGraph {
  const random = seededRandom(seed);
  const g = clone(graph);
  const { min, max } = g.levels;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  for (let k = 0; k < count && g.nodes.length < 256; k++) {
    const pool = [...Array.from({ length: max - min + 1 }, (_, i) => `C${min + i}`), ...g.nodes.map((n) => n.id)];
    const inputs = [...new Set([pick(pool), pick(pool)])];
    const op =
      inputs.length === 2 ? pick(['sum', 'mean', 'weighted', 'concat', 'adaptive', 'attention'] as const) : 'sum';
    let id = `dead_${k}`;
    while (g.nodes.some((n) => n.id === id)) id += '_';
    g.nodes.push({
      id,
      level: min + Math.floor(random() * (max - min + 1)),
      op,
      inputs,
      post: pick(['conv', 'sepconv', 'none'] as const),
    });
  }
  return g;
}
