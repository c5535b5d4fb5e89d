// Canonical form and hash of a pyramid graph. Two graphs get the same hash exactly when they are the same
// network up to node order, node ids, input order of commutative ops and dead nodes; `name` and `meta`
// never count. Sharing counts: a node read twice is one set of weights, two identical nodes are two.
//
// How: this is graph canonization on a small labelled DAG, done the way nauty-style tools do it. Colour
// refinement (1-dimensional Weisfeiler-Leman) gives every live node a colour from its level/op/post/outputs
// and, iteratively, its inputs' and consumers' colours. Nodes that still share a colour are told apart by
// individualisation: each member of the first tied cell is tried in turn, recursively, and the smallest
// resulting canonical JSON wins. Two leaves with the same text reveal an automorphism; members of a cell
// in the same orbit (under the automorphisms found so far that fix the current prefix) give the same
// leaves and are skipped, which keeps symmetric graphs (twins, cycles of identical nodes) cheap.
// MAX_LEAVES bounds the search for adversarially symmetric graphs; past it the result could depend on
// node order (no zoo or search-space graph comes near it).
// With every colour distinct, nodes are listed in a topological order that always takes the ready node
// of smallest colour and renamed n0, n1, …
import { createHash } from 'node:crypto';
import { liveNodeIds, RESERVED_ID } from './live.js';
import { COMMUTATIVE_OPS, GRAPH_FORMAT, type GraphNode, type PyramidGraph } from './types.js';

/** Upper bound on individualisation branches explored (only adversarially symmetric graphs reach it). */
const MAX_LEAVES = 512;

/** A resolved input: a backbone feature level (negative-free) or the index of a live node. */
type Ref = { c: number } | { n: number };

interface Dag {
  nodes: GraphNode[];
  /** inputs[i]: refs of node i in semantic order (attention: [f, g] by level, stable on ties). */
  inputs: Ref[][];
  commutative: boolean[];
  /** consumers[i]: [consumer index, slot] (slot -1 for commutative ops, else the input position). */
  consumers: Array<Array<[number, number]>>;
  outputKeys: string[][];
}

function buildDag(graph: PyramidGraph): Dag {
  const live = liveNodeIds(graph);
  const nodes = graph.nodes.filter((n) => live.has(n.id));
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const levelOf = (ref: string) => (RESERVED_ID.test(ref) ? Number(ref.slice(1)) : nodes[index.get(ref)!].level);
  const toRef = (ref: string): Ref => (RESERVED_ID.test(ref) ? { c: Number(ref.slice(1)) } : { n: index.get(ref)! });
  const inputs = nodes.map((node) => {
    const refs = node.op === 'attention' ? attentionOrder(node.inputs, levelOf) : node.inputs;
    return refs.map(toRef);
  });
  const commutative = nodes.map((n) => COMMUTATIVE_OPS.has(n.op));
  const consumers: Dag['consumers'] = nodes.map(() => []);
  inputs.forEach((refs, i) => refs.forEach((r, slot) => { if ('n' in r) consumers[r.n].push([i, commutative[i] ? -1 : slot]); }));
  const outputKeys: string[][] = nodes.map(() => []);
  for (const [key, id] of Object.entries(graph.outputs)) if (index.has(id)) outputKeys[index.get(id)!].push(key);
  outputKeys.forEach((keys) => keys.sort());
  return { nodes, inputs, commutative, consumers, outputKeys };
}

/** attention reads [f, g] with g the coarser input; equal levels keep the given order (g = inputs[1]). */
export function attentionOrder<T extends string>(inputs: readonly T[], levelOf: (ref: T) => number): T[] {
  const [a, b] = inputs;
  return levelOf(a) > levelOf(b) ? [b, a] : [a, b];
}

/** Replaces each key by its rank among the distinct keys (ranks depend on the keys only, not on order). */
function rank(keys: string[]): { colors: number[]; classes: number } {
  const sorted = [...new Set(keys)].sort();
  const at = new Map(sorted.map((k, r) => [k, r]));
  return { colors: keys.map((k) => at.get(k)!), classes: sorted.length };
}

/**
 * Colour refinement to a stable partition. A node's key is its colour, its inputs' colours (backbone C<l>
 * as -l; sorted for commutative ops) and its consumers' colours with the input slot; keys start with the
 * old colour, so partitions only split, and the loop ends when no cell splits.
 */
function refine(dag: Dag, start: { colors: number[]; classes: number }): number[] {
  let { colors, classes } = start;
  const ins: number[] = [];
  const outs: number[] = [];
  for (;;) {
    const keys = new Array<string>(colors.length);
    for (let i = 0; i < colors.length; i++) {
      ins.length = 0;
      for (const r of dag.inputs[i]) ins.push('c' in r ? -r.c : colors[r.n]);
      if (dag.commutative[i]) ins.sort((a, b) => a - b);
      outs.length = 0;
      for (const [c, slot] of dag.consumers[i]) outs.push(colors[c] * 4 + slot + 1);
      outs.sort((a, b) => a - b);
      keys[i] = `${colors[i]}:${ins.join(',')}>${outs.join(',')}`;
    }
    const next = rank(keys);
    if (next.classes === classes) return next.colors;
    ({ colors, classes } = next);
  }
}

interface Leaf {
  text: string;
  /** order[k]: the node listed k-th (canonical id n<k>). */
  order: number[];
}

/** The canonical JSON of a discrete colouring: ready node of smallest colour first, ids n0, n1, … */
function leafJson(graph: PyramidGraph, dag: Dag, colors: number[]): Leaf {
  const count = dag.nodes.length;
  const name: string[] = new Array(count);
  const waiting = dag.inputs.map((refs) => refs.filter((r) => 'n' in r).length);
  const ready = new Set<number>();
  waiting.forEach((w, i) => { if (w === 0) ready.add(i); });
  const order: number[] = [];
  while (ready.size > 0) {
    let best = -1;
    for (const i of ready) if (best < 0 || colors[i] < colors[best]) best = i;
    ready.delete(best);
    name[best] = `n${order.length}`;
    order.push(best);
    for (const [c] of dag.consumers[best]) if (--waiting[c] === 0) ready.add(c);
  }
  const refName = (r: Ref) => ('c' in r ? `C${r.c}` : name[r.n]);
  const refSort = (a: Ref, b: Ref) => ('c' in a ? ('c' in b ? a.c - b.c : -1) : 'c' in b ? 1 : Number(name[a.n].slice(1)) - Number(name[b.n].slice(1)));
  const nodes = order.map((i) => {
    const refs = dag.commutative[i] ? [...dag.inputs[i]].sort(refSort) : dag.inputs[i];
    const { level, op, post } = dag.nodes[i];
    return { id: name[i], level, op, inputs: refs.map(refName), post };
  });
  const outputs: Record<string, string> = {};
  const index = new Map(dag.nodes.map((n, i) => [n.id, i]));
  for (let l = graph.levels.min; l <= graph.levels.max; l++) outputs[`P${l}`] = name[index.get(graph.outputs[`P${l}`])!];
  const { min, max } = graph.levels;
  return { text: JSON.stringify({ format: GRAPH_FORMAT, levels: { min, max }, channels: graph.channels, repeats: graph.repeats, nodes, outputs }), order };
}

/** The canonical JSON text of a valid graph (no name, no meta): what graphHash hashes. */
export function canonicalJson(graph: PyramidGraph): string {
  const dag = buildDag(graph);
  const count = dag.nodes.length;
  const initial = rank(dag.nodes.map((n, i) => `${n.level}|${n.op}|${n.post}|${dag.outputKeys[i].join(',')}`));
  let first: Leaf | undefined;
  let best: Leaf | undefined;
  let leaves = 0;
  /** Automorphisms found: perm[i] is the image of node i. */
  const autos: number[][] = [];
  const automorphism = (a: Leaf, b: Leaf) => {
    const perm = new Array<number>(count);
    a.order.forEach((node, k) => { perm[node] = b.order[k]; });
    autos.push(perm);
  };
  /** Union-find of the orbits of the automorphisms that fix every prefix vertex. */
  const orbits = (prefix: number[]) => {
    const parent = Array.from({ length: count }, (_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    for (const perm of autos) {
      if (!prefix.every((p) => perm[p] === p)) continue;
      perm.forEach((j, i) => { parent[find(i)] = find(j); });
    }
    return find;
  };
  const search = (start: { colors: number[]; classes: number }, prefix: number[]): void => {
    const colors = refine(dag, start);
    const cells = new Map<number, number[]>();
    colors.forEach((c, i) => { const cell = cells.get(c); if (cell) cell.push(i); else cells.set(c, [i]); });
    let target: number[] | undefined;
    let targetColor = Infinity;
    for (const [c, members] of cells) if (members.length > 1 && c < targetColor) { target = members; targetColor = c; }
    if (!target) {
      leaves++;
      const leaf = leafJson(graph, dag, colors);
      if (!first) first = leaf;
      else if (leaf.text === first.text) automorphism(first, leaf);
      if (!best || leaf.text < best.text) best = leaf;
      else if (leaf.text === best.text && best !== first) automorphism(best, leaf);
      return;
    }
    const explored: number[] = [];
    for (const v of target) {
      if (best && leaves >= MAX_LEAVES) break;
      if (explored.length > 0) {
        const find = orbits(prefix);
        if (explored.some((e) => find(e) === find(v))) continue;
      }
      explored.push(v);
      // Individualise v: it keeps a colour just below the rest of its cell.
      search(rank(colors.map((c, i) => `${c}${i === v ? 'a' : 'b'}`)), [...prefix, v]);
    }
  };
  search(initial, []);
  return best!.text;
}

/** The graph in canonical form: live nodes only, canonical order and ids; name and meta kept as given. */
export function canonicalize(graph: PyramidGraph): PyramidGraph {
  const body = JSON.parse(canonicalJson(graph)) as Omit<PyramidGraph, 'name' | 'meta'>;
  const out: PyramidGraph = { format: body.format, name: graph.name, levels: body.levels, channels: body.channels, repeats: body.repeats, nodes: body.nodes, outputs: body.outputs };
  if (graph.meta !== undefined) out.meta = structuredClone(graph.meta);
  return out;
}

/** sha256 (hex) of the canonical JSON. Equal hashes ⇔ the same network (see the header comment). */
export function graphHash(graph: PyramidGraph): string {
  return createHash('sha256').update(canonicalJson(graph)).digest('hex');
}
