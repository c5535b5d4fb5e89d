// fast-check arbitraries for pyramid graphs: valid by construction (arbGraph) and corrupted with a known
// first error (arbCorruptedGraph). Both build from plain random numbers, so shrinking works on them.
import fc from 'fast-check';

import type { GraphErrorCode } from '../graph/issues.js';
import { liveNodeIds } from '../graph/live.js';
import {
  FEEDBACK_FUSE,
  FUSION_OPS,
  type FusionOp,
  GRAPH_FORMAT,
  GRAPH_LIMITS,
  type GraphNode,
  POST_OPS,
  type PostOp,
  type PyramidGraph,
} from '../graph/types.js';
import { MAX_ARITY, MIN_ARITY } from '../graph/validate.js';

export interface ArbGraphOptions {
  /** Bounds for levels.min/max (default GRAPH_LIMITS: 1..9). */
  minLevel?: number;
  maxLevel?: number;
  /** Fusion ops to draw from (default: all). */
  ops?: readonly FusionOp[];
  posts?: readonly PostOp[];
  /** Most nodes drawn before the output nodes are added (default 12). */
  maxNodes?: number;
  /** Most inputs per node (default 4, at most GRAPH_LIMITS.maxFanIn). */
  maxFanIn?: number;
  maxRepeats?: number;
  maxChannels?: number;
  /** Keep nodes that reach no output (default true); false drops them. */
  allowDead?: boolean;
  /** Arbitrary for the name (default: short strings, markup included). */
  name?: fc.Arbitrary<string>;
  /** Whether to attach a random `meta` object (default true). */
  withMeta?: boolean;
  /** Whether some graphs (about one in five) feed nodes back into the backbone (default true). */
  feedback?: boolean;
  /** fast-check size of the node list (default: fast-check's, which favours small graphs). */
  size?: fc.SizeForArbitrary;
}

interface NodeRecipe {
  level: number;
  op: number;
  post: number;
  arity: number;
  picks: number[];
}
const recipe = (fanIn: number): fc.Arbitrary<NodeRecipe> =>
  fc.record({
    level: fc.nat(),
    op: fc.nat(),
    post: fc.nat(),
    arity: fc.nat({ max: fanIn - 1 }),
    picks: fc.array(fc.nat(), { minLength: fanIn, maxLength: fanIn }),
  });

const defaultName = fc.oneof(
  fc.constantFrom('fpn', 'nas-fpn', '<script>alert(1)</script>', 'a & b "quoted" \'x\'', ''),
  fc.string({ maxLength: 24 }),
  fc.string({ maxLength: 12, unit: 'binary' }),
);
// Meta is free-form JSON; keys avoid __proto__ (a JSON text may hold it, but a JS object literal cannot
// round-trip it as an own property); the JSON pass turns -0 into 0 and null-prototype objects into plain ones.
const metaArb = fc
  .dictionary(
    fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  )
  .map((m) => JSON.parse(JSON.stringify(m)) as Record<string, unknown>);

/** Valid pyramid graphs: any level range, ops, fan-in, repeats, channels; dead nodes included by default. */
export function arbGraph(options: ArbGraphOptions = {}): fc.Arbitrary<PyramidGraph> {
  const lo = options.minLevel ?? GRAPH_LIMITS.minLevel;
  const hi = options.maxLevel ?? GRAPH_LIMITS.maxLevel;
  const ops = options.ops ?? FUSION_OPS;
  const posts = options.posts ?? POST_OPS;
  const fanIn = Math.min(options.maxFanIn ?? 4, GRAPH_LIMITS.maxFanIn);
  const maxNodes = options.maxNodes ?? 12;
  return fc
    .record({
      min: fc.integer({ min: lo, max: hi }),
      span: fc.nat({ max: hi - lo }),
      channels: fc.integer({ min: 1, max: options.maxChannels ?? 512 }),
      repeats: fc.integer({ min: 1, max: options.maxRepeats ?? GRAPH_LIMITS.maxRepeats }),
      body: fc.array(recipe(fanIn), { maxLength: maxNodes, size: options.size }),
      outs: fc.array(fc.tuple(fc.boolean(), fc.nat(), recipe(fanIn)), {
        minLength: hi - lo + 1,
        maxLength: hi - lo + 1,
      }),
      idStyle: fc.constantFrom('n', 'node_', 'P', 'x9_'),
      name: options.name ?? defaultName,
      meta: options.withMeta === false ? fc.constant(undefined) : fc.option(metaArb, { nil: undefined }),
      feedback:
        options.feedback === false
          ? fc.constant(undefined)
          : fc.option(
              fc.record({
                steps: fc.integer({ min: 2, max: GRAPH_LIMITS.maxFeedbackSteps }),
                fuse: fc.constantFrom(...FEEDBACK_FUSE),
                picks: fc.array(fc.option(fc.nat(), { nil: undefined }), {
                  minLength: hi - lo + 1,
                  maxLength: hi - lo + 1,
                }),
              }),
              { nil: undefined, freq: 4 },
            ),
    })
    .map(({ min, span, channels, repeats, body, outs, idStyle, name, meta, feedback }) => {
      const max = Math.min(min + span, hi);
      const nodes: GraphNode[] = [];
      const pool: Array<{ ref: string; level: number }> = [];
      for (let l = min; l <= max; l++) pool.push({ ref: `C${l}`, level: l });
      const add = (r: NodeRecipe, level: number): GraphNode => {
        let op = ops[r.op % ops.length];
        if (MIN_ARITY[op] > pool.length) op = 'sum';
        if (MIN_ARITY[op] > pool.length) throw new Error('arbGraph: ops without sum need ≥ 2 features');
        const most = Math.min(MAX_ARITY[op], fanIn, pool.length);
        const want = Math.max(MIN_ARITY[op], Math.min(most, MIN_ARITY[op] + r.arity));
        // Distinct inputs: walk the pool from each pick to the next unused feature.
        const chosen = new Set<number>();
        for (const p of r.picks) {
          if (chosen.size === want) break;
          let k = p % pool.length;
          while (chosen.has(k)) k = (k + 1) % pool.length;
          chosen.add(k);
        }
        const node: GraphNode = {
          id: `${idStyle}${nodes.length}`,
          level,
          op,
          inputs: [...chosen].map((k) => pool[k].ref),
          post: posts[r.post % posts.length],
        };
        nodes.push(node);
        pool.push({ ref: node.id, level });
        return node;
      };
      for (const r of body) add(r, min + (r.level % (max - min + 1)));
      const outputs: Record<string, string> = {};
      for (let l = min; l <= max; l++) {
        const [reuse, which, r] = outs[l - min];
        const existing = nodes.filter((n) => n.level === l);
        outputs[`P${l}`] = reuse && existing.length > 0 ? existing[which % existing.length].id : add(r, l).id;
      }
      let graph: PyramidGraph = { format: GRAPH_FORMAT, name, levels: { min, max }, channels, repeats, nodes, outputs };
      // Feedback into some backbone levels it may enter (at least the top one), from any node.
      const fedFrom = Math.max(min, GRAPH_LIMITS.minFeedbackLevel);
      if (feedback && fedFrom <= max) {
        const from: Record<string, string> = {};
        for (let l = fedFrom; l <= max; l++) {
          const pick = feedback.picks[l - min];
          if (pick !== undefined) from[`C${l}`] = nodes[pick % nodes.length].id;
        }
        if (Object.keys(from).length === 0) from[`C${max}`] = outputs[`P${max}`];
        graph.feedback = { steps: feedback.steps, from, fuse: feedback.fuse };
      }
      if (meta !== undefined) graph.meta = meta;
      if (options.allowDead === false) graph = dropDead(graph);
      return graph;
    });
}

function dropDead(graph: PyramidGraph): PyramidGraph {
  const live = liveNodeIds(graph);
  return { ...graph, nodes: graph.nodes.filter((n) => live.has(n.id)) };
}

export const CORRUPTION_KINDS = [
  'dangling-input',
  'forward-ref',
  'self-ref',
  'duplicate-input',
  'arity',
  'missing-output',
  'output-level',
  'unknown-output',
  'extra-output',
  'node-level-range',
  'level-out-of-limits',
  'levels-inverted',
  'input-level-range',
  'too-many-nodes',
  'fan-in',
  'bad-id',
  'reserved-id',
  'duplicate-id',
  'unknown-key',
  'repeats-limit',
  'channels-limit',
  'wrong-format',
] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

export interface CorruptedGraph {
  kind: CorruptionKind;
  /** The broken document (plain JSON, not a valid PyramidGraph). */
  graph: Record<string, unknown>;
  /** An error parseGraph must report (others may come with it). */
  expect: { code: GraphErrorCode; path: string };
}

/** Valid graphs with exactly one kind of damage and the error (code + path) it must produce. */
export function arbCorruptedGraph(kinds: readonly CorruptionKind[] = CORRUPTION_KINDS): fc.Arbitrary<CorruptedGraph> {
  return fc
    .tuple(arbGraph({ withMeta: false }), fc.constantFrom(...kinds), fc.nat(), fc.nat())
    .map(([graph, kind, a, b]) => corrupt(graph, kind, a, b));
}

/** Applies one corruption; kinds that need more nodes than the graph has fall back to a simpler kind. */
export function corrupt(valid: PyramidGraph, kind: CorruptionKind, a: number, b: number): CorruptedGraph {
  const g = structuredClone(valid);
  const nodes = g.nodes;
  const i = a % nodes.length;
  const node = nodes[i];
  const j = b % node.inputs.length;
  const { min, max } = g.levels;
  const done = (code: GraphErrorCode, path: string): CorruptedGraph => ({
    kind,
    graph: g as unknown as Record<string, unknown>,
    expect: { code, path },
  });
  const outKey = `P${min + (a % (max - min + 1))}`;
  switch (kind) {
    case 'dangling-input':
      node.inputs[j] = 'zz_missing';
      return done('UNKNOWN_INPUT', `nodes[${i}].inputs[${j}]`);
    case 'forward-ref': {
      const later = nodes.findIndex((n, k) => k > i && !node.inputs.includes(n.id) && n.id !== node.id);
      if (later < 0) return corrupt(valid, 'self-ref', a, b);
      node.inputs[j] = nodes[later].id;
      return done('FORWARD_REF', `nodes[${i}].inputs[${j}]`);
    }
    case 'self-ref':
      node.inputs[j] = node.id;
      return done('SELF_REF', `nodes[${i}].inputs[${j}]`);
    case 'duplicate-input':
      if (node.inputs.length >= 8) return corrupt(valid, 'dangling-input', a, b);
      node.inputs.push(node.inputs[j]);
      return done('DUPLICATE_INPUT', `nodes[${i}].inputs[${node.inputs.length - 1}]`);
    case 'arity':
      // attention needs exactly 2: give it 1 (or 3 when the node has 3+).
      node.inputs = node.inputs.length === 2 ? [node.inputs[0]] : node.inputs;
      node.op = 'attention';
      return done('ARITY', `nodes[${i}].inputs`);
    case 'missing-output':
      delete g.outputs[outKey];
      return done('MISSING_OUTPUT', `outputs.${outKey}`);
    case 'output-level': {
      const l = Number(outKey.slice(1));
      const other = nodes.find((n) => n.level !== l);
      if (!other) return corrupt(valid, 'unknown-output', a, b);
      g.outputs[outKey] = other.id;
      return done('OUTPUT_LEVEL', `outputs.${outKey}`);
    }
    case 'unknown-output':
      g.outputs[outKey] = 'zz_nowhere';
      return done('UNKNOWN_OUTPUT', `outputs.${outKey}`);
    case 'extra-output':
      g.outputs[`Q${b % 10}`] = node.id;
      return done('EXTRA_OUTPUT', `outputs.Q${b % 10}`);
    case 'node-level-range':
      if (min === GRAPH_LIMITS.minLevel && max === GRAPH_LIMITS.maxLevel)
        return corrupt(valid, 'level-out-of-limits', a, b);
      node.level = max < GRAPH_LIMITS.maxLevel ? max + 1 : min - 1;
      return done('LEVEL_RANGE', `nodes[${i}].level`);
    case 'level-out-of-limits':
      node.level = b % 2 === 0 ? GRAPH_LIMITS.maxLevel + 1 + (b % 5) : GRAPH_LIMITS.minLevel - 1 - (b % 3);
      return done('LEVEL_RANGE', `nodes[${i}].level`);
    case 'levels-inverted':
      if (min < max) g.levels = { min: max, max: min };
      else if (max < GRAPH_LIMITS.maxLevel) g.levels = { min: max + 1, max };
      else g.levels = { min, max: min - 1 };
      return done('LEVEL_RANGE', 'levels');
    case 'input-level-range':
      node.inputs[j] = max < GRAPH_LIMITS.maxLevel ? `C${max + 1}` : `C${min - 1}`;
      return done('INPUT_LEVEL_RANGE', `nodes[${i}].inputs[${j}]`);
    case 'too-many-nodes': {
      let k = 0;
      while (nodes.length <= GRAPH_LIMITS.maxNodes)
        nodes.push({ id: `pad_${k++}`, level: min, op: 'sum', inputs: [`C${min}`], post: 'none' });
      return done('LIMIT', 'nodes');
    }
    case 'fan-in':
      node.inputs = Array.from({ length: GRAPH_LIMITS.maxFanIn + 1 }, (_, k) => `C${min}_${k}`);
      return done('FAN_IN', `nodes[${i}].inputs`);
    case 'bad-id': {
      const bad = ['', 'has-dash', 'space d', 'x'.repeat(65), 'ünï', 'a.b'][b % 6];
      node.id = bad;
      return done('BAD_ID', `nodes[${i}].id`);
    }
    case 'reserved-id':
      node.id = `C${b % 20}`;
      return done('RESERVED_ID', `nodes[${i}].id`);
    case 'duplicate-id': {
      if (nodes.length < 2) return corrupt(valid, 'reserved-id', a, b);
      const k = 1 + (a % (nodes.length - 1));
      nodes[k].id = nodes[b % k].id;
      return done('DUPLICATE_ID', `nodes[${k}].id`);
    }
    case 'unknown-key':
      (node as unknown as Record<string, unknown>).weights = [1, 2];
      return done('SCHEMA', `nodes[${i}].weights`);
    case 'repeats-limit':
      g.repeats = b % 2 ? GRAPH_LIMITS.maxRepeats + 1 : 0;
      return done('LIMIT', 'repeats');
    case 'channels-limit':
      g.channels = b % 2 ? GRAPH_LIMITS.maxChannels + 1 : 0;
      return done('LIMIT', 'channels');
    case 'wrong-format':
      (g as unknown as Record<string, unknown>).format = 'pyramid-graph/2';
      return done('SCHEMA', 'format');
  }
}
