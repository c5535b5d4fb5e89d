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
// Structural twins (same label, inputs and consumers) are swapped by an automorphism, so a cell made of
// twins is individualised in one step. MAX_LEAVES and MAX_SEARCH_NODES bound the search on hostile,
// highly symmetric input (a 230-node tree of identical nodes takes about a second); past them the result
// could depend on node order. Zoo and search-space graphs stay far below (a handful of search nodes).
// With every colour distinct, nodes are listed in a topological order that always takes the ready node
// of smallest colour and renamed n0, n1, …
import { createHash } from 'node:crypto';

import { liveNodeIds, RESERVED_ID } from './live.js';
import { COMMUTATIVE_OPS, GRAPH_FORMAT, type GraphNode, type PyramidGraph } from './types.js';

/** Upper bound on individualisation branches explored (only adversarially symmetric graphs reach it). */
const MAX_LEAVES = 512;
/** Search-tree nodes (each one colour refinement) before branching stops: bounds the time on hostile input. */
const MAX_SEARCH_NODES = 4096;
/** Automorphisms kept for pruning (more only speeds up very symmetric graphs). */
const MAX_AUTOMORPHISMS = 256;

/** A resolved input: a backbone feature (its level) or a live node (its index). */
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
  inputs.forEach((refs, i) =>
    refs.forEach((r, slot) => {
      if ('n' in r) consumers[r.n].push([i, commutative[i] ? -1 : slot]);
    }),
  );
  const outputKeys: string[][] = nodes.map(() => []);
  for (const [key, id] of Object.entries(graph.outputs)) if (index.has(id)) outputKeys[index.get(id)!].push(key);
  // A node fed back into the backbone is marked like an output (`>C4`): which node feeds which level counts.
  for (const [key, id] of Object.entries(graph.feedback?.from ?? {}))
    if (index.has(id)) outputKeys[index.get(id)!].push(`>${key}`);
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
  waiting.forEach((w, i) => {
    if (w === 0) ready.add(i);
  });
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
  const refSort = (a: Ref, b: Ref) =>
    'c' in a ? ('c' in b ? a.c - b.c : -1) : 'c' in b ? 1 : Number(name[a.n].slice(1)) - Number(name[b.n].slice(1));
  const nodes = order.map((i) => {
    const refs = dag.commutative[i] ? [...dag.inputs[i]].sort(refSort) : dag.inputs[i];
    const { level, op, post } = dag.nodes[i];
    return { id: name[i], level, op, inputs: refs.map(refName), post };
  });
  const outputs: Record<string, string> = {};
  const index = new Map(dag.nodes.map((n, i) => [n.id, i]));
  for (let l = graph.levels.min; l <= graph.levels.max; l++)
    outputs[`P${l}`] = name[index.get(graph.outputs[`P${l}`])!];
  const { min, max } = graph.levels;
  const body: Record<string, unknown> = {
    format: GRAPH_FORMAT,
    levels: { min, max },
    channels: graph.channels,
    repeats: graph.repeats,
    nodes,
    outputs,
  };
  // Only graphs with feedback carry the key, so every other graph's canonical text (and hash) is unchanged.
  if (graph.feedback) {
    const from: Record<string, string> = {};
    for (const key of Object.keys(graph.feedback.from).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))))
      from[key] = name[index.get(graph.feedback.from[key])!];
    body.feedback = { steps: graph.feedback.steps, from, fuse: graph.feedback.fuse };
  }
  return {
    text: JSON.stringify(body),
    order,
  };
}

/**
 * Structural twins: nodes with the same label, the same inputs and the same consumers (same slots).
 * Swapping two twins is an automorphism, so the search never branches between them. twin[i] is the
 * smallest index of i's class.
 */
function twins(dag: Dag, labels: number[]): number[] {
  const first = new Map<string, number>();
  return dag.nodes.map((_, i) => {
    const ins = dag.inputs[i].map((r) => ('c' in r ? `C${r.c}` : String(r.n)));
    if (dag.commutative[i]) ins.sort();
    const outs = dag.consumers[i].map(([c, slot]) => `${c}.${slot}`).sort();
    const key = `${labels[i]}|${ins.join(',')}|${outs.join(',')}`;
    if (!first.has(key)) first.set(key, i);
    return first.get(key)!;
  });
}

/** The canonical JSON text of a valid graph (no name, no meta): what graphHash hashes. */
export function canonicalJson(graph: PyramidGraph): string {
  const dag = buildDag(graph);
  const count = dag.nodes.length;
  const initial = rank(dag.nodes.map((n, i) => `${n.level}|${n.op}|${n.post}|${dag.outputKeys[i].join(',')}`));
  const twin = twins(dag, initial.colors);
  const seen = new Map<string, Leaf>();
  let best: Leaf | undefined;
  let leaves = 0;
  /** Automorphisms found from equal leaves: perm[i] is the image of node i (capped: pruning only). */
  const autos: Int32Array[] = [];
  const automorphism = (a: Leaf, b: Leaf) => {
    if (autos.length >= MAX_AUTOMORPHISMS) return;
    const perm = new Int32Array(count);
    a.order.forEach((node, k) => {
      perm[node] = b.order[k];
    });
    autos.push(perm);
  };
  /** Union-find of the orbits of the known automorphisms (twin swaps included) that fix every prefix node. */
  const orbits = (fixed: Uint8Array) => {
    const parent = Int32Array.from({ length: count }, (_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i]];
      return i;
    };
    const join = (i: number, j: number) => {
      parent[find(i)] = find(j);
    };
    for (let i = 0; i < count; i++) if (twin[i] !== i && !fixed[i] && !fixed[twin[i]]) join(i, twin[i]);
    for (const perm of autos) {
      let fixes = true;
      for (let i = 0; i < count && fixes; i++) if (fixed[i] && perm[i] !== i) fixes = false;
      if (fixes) perm.forEach((j, i) => join(i, j));
    }
    return find;
  };
  let calls = 0;
  const search = (start: { colors: number[]; classes: number }, fixed: Uint8Array): void => {
    calls++;
    const colors = refine(dag, start);
    const cells = new Map<number, number[]>();
    colors.forEach((c, i) => {
      const cell = cells.get(c);
      if (cell) cell.push(i);
      else cells.set(c, [i]);
    });
    let target: number[] | undefined;
    let targetColor = Infinity;
    for (const [c, members] of cells)
      if (members.length > 1 && c < targetColor) {
        target = members;
        targetColor = c;
      }
    if (!target) {
      leaves++;
      const leaf = leafJson(graph, dag, colors);
      // Any earlier leaf with the same text differs from this one by an automorphism.
      const twinLeaf = seen.get(leaf.text);
      if (twinLeaf) automorphism(twinLeaf, leaf);
      else seen.set(leaf.text, leaf);
      if (!best || leaf.text < best.text) best = leaf;
      return;
    }
    const cell = target;
    if (cell.every((v) => twin[v] === twin[cell[0]])) {
      // A cell of mutual twins: every order of them is equivalent, so individualise them all at once.
      const pos = new Map(cell.map((v, k) => [v, k]));
      const next = new Uint8Array(fixed);
      for (const v of cell) next[v] = 1;
      search(rank(colors.map((c, i) => (pos.has(i) ? `${c}.${pos.get(i)}` : `${c}`))), next);
      return;
    }
    const explored: number[] = [];
    let find: ((i: number) => number) | undefined;
    let known = -1;
    for (const v of cell) {
      if (best && (leaves >= MAX_LEAVES || calls >= MAX_SEARCH_NODES)) break;
      if (explored.length > 0) {
        if (known !== autos.length) {
          find = orbits(fixed);
          known = autos.length;
        }
        if (explored.some((e) => find!(e) === find!(v))) continue;
      }
      explored.push(v);
      const next = new Uint8Array(fixed);
      next[v] = 1;
      // Individualise v: it keeps a colour just below the rest of its cell.
      search(rank(colors.map((c, i) => `${c}${i === v ? 'a' : 'b'}`)), next);
    }
  };
  search(initial, new Uint8Array(count));
  return best!.text;
}

/** The graph in canonical form: live nodes only, canonical order and ids; name and meta kept as given. */
export function canonicalize(graph: PyramidGraph): PyramidGraph {
  const body = JSON.parse(canonicalJson(graph)) as Omit<PyramidGraph, 'name' | 'meta'>;
  const out: PyramidGraph = {
    format: body.format,
    name: graph.name,
    levels: body.levels,
    channels: body.channels,
    repeats: body.repeats,
    nodes: body.nodes,
    outputs: body.outputs,
  };
  if (body.feedback !== undefined) out.feedback = body.feedback;
  if (graph.meta !== undefined) out.meta = structuredClone(graph.meta);
  return out;
}

/** sha256 (hex) of the canonical JSON. Equal hashes ⇔ the same network (see the header comment). */
export function graphHash(graph: PyramidGraph): string {
  return createHash('sha256').update(canonicalJson(graph)).digest('hex');
}
