// parseGraph: untrusted JSON → a PyramidGraph, or every problem found, each with a code and a JSON path.
// Two passes: the zod schema (shapes and numeric limits), then the rules that need the whole document.
import type { z } from 'zod';

import { zodIssueMessage } from '../util/zod-issues.js';
import { formatPath, type GraphError, type GraphErrorCode, type GraphWarning } from './issues.js';
import { backboneLevel, liveNodeIds, RESERVED_ID } from './live.js';
import { MAX_NAME_LENGTH, pyramidGraphSchema } from './schema.js';
import { type FusionOp, GRAPH_LIMITS, type PyramidGraph } from './types.js';

export type ParseResult =
  { ok: true; graph: PyramidGraph; warnings: GraphWarning[] } | { ok: false; errors: GraphError[] };

/** Fewest inputs each fusion op accepts (attention also takes at most 2). A 1-input `sum` is a re-sample + post. */
export const MIN_ARITY: Readonly<Record<FusionOp, number>> = {
  sum: 1,
  attention: 2,
  weighted: 2,
  concat: 2,
  mean: 2,
  adaptive: 2,
  'self-attention': 1,
  'cross-attention': 2,
};
export const MAX_ARITY: Readonly<Record<FusionOp, number>> = {
  sum: GRAPH_LIMITS.maxFanIn,
  attention: 2,
  weighted: GRAPH_LIMITS.maxFanIn,
  concat: GRAPH_LIMITS.maxFanIn,
  mean: GRAPH_LIMITS.maxFanIn,
  adaptive: GRAPH_LIMITS.maxFanIn,
  'self-attention': 1,
  'cross-attention': 2,
};

export function parseGraph(json: unknown): ParseResult {
  const shaped = pyramidGraphSchema.safeParse(json, { reportInput: true });
  if (!shaped.success) return { ok: false, errors: shaped.error.issues.flatMap(fromZodIssue) };
  const graph = shaped.data as PyramidGraph;
  const errors = checkStructure(graph);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, graph, warnings: deadNodeWarnings(graph) };
}

/** Maps a zod issue to our codes, so a limit breach reads as LIMIT/FAN_IN/LEVEL_RANGE/BAD_ID, not SCHEMA. */
function fromZodIssue(issue: z.core.$ZodIssue): GraphError[] {
  const segs = issue.path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      code: 'SCHEMA',
      path: formatPath([...segs, key]),
      message: `unknown key "${key}"`,
    }));
  }
  const path = formatPath(segs);
  const last = segs[segs.length - 1];
  const range = issue.code === 'too_big' || issue.code === 'too_small';
  let code: GraphErrorCode = 'SCHEMA';
  let message = issue.message;
  if (range && segs.length === 1 && last === 'nodes' && issue.code === 'too_big') {
    code = 'LIMIT';
    message = `at most ${GRAPH_LIMITS.maxNodes} nodes`;
  } else if (range && last === 'inputs') {
    code = issue.code === 'too_big' ? 'FAN_IN' : 'ARITY';
    message =
      issue.code === 'too_big'
        ? `fan-in above the limit of ${GRAPH_LIMITS.maxFanIn} inputs`
        : 'a node needs at least one input';
  } else if (range && (last === 'level' || (segs[0] === 'levels' && segs.length === 2))) {
    code = 'LEVEL_RANGE';
    message = `level must be an integer in ${GRAPH_LIMITS.minLevel}..${GRAPH_LIMITS.maxLevel}`;
  } else if (range && segs.length === 1 && (last === 'repeats' || last === 'channels' || last === 'name')) {
    code = 'LIMIT';
    const max =
      last === 'repeats' ? GRAPH_LIMITS.maxRepeats : last === 'channels' ? GRAPH_LIMITS.maxChannels : MAX_NAME_LENGTH;
    message =
      last === 'name' ? `name longer than ${max} characters` : `${String(last)} must be an integer in 1..${max}`;
  } else if (
    issue.code === 'invalid_format' &&
    (last === 'id' || segs[segs.length - 2] === 'inputs' || segs[0] === 'outputs')
  ) {
    code = 'BAD_ID';
    message = 'ids are 1 to 64 characters from [A-Za-z0-9_]';
  } else if (
    issue.code === 'invalid_type' &&
    issue.expected === 'number' &&
    typeof issue.input === 'number' &&
    !Number.isFinite(issue.input)
  ) {
    // ±Infinity or NaN where a number was expected (a graph built in code; JSON.parse makes Infinity of 1e309).
    message = zodIssueMessage(issue);
  } else if (issue.code === 'invalid_type') {
    const got = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'array' : typeof issue.input;
    const want = issue.expected === 'record' ? 'object' : issue.expected;
    message = issue.input === undefined ? `missing (expected ${want})` : `expected ${want}, got ${got}`;
  }
  return [{ code, path, message }];
}

function checkStructure(graph: PyramidGraph): GraphError[] {
  const errors: GraphError[] = [];
  const add = (code: GraphErrorCode, path: string, message: string) => errors.push({ code, path, message });
  const { min, max } = graph.levels;
  if (min > max) {
    add('LEVEL_RANGE', 'levels', `levels.min (${min}) is above levels.max (${max})`);
    return errors;
  }
  const span = `${min}..${max}`;
  // First occurrence of each id; duplicates are errors and references resolve to the first.
  const firstIndex = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    if (RESERVED_ID.test(node.id))
      add('RESERVED_ID', `nodes[${i}].id`, `"${node.id}" is reserved for backbone features`);
    else if (firstIndex.has(node.id))
      add('DUPLICATE_ID', `nodes[${i}].id`, `duplicate id "${node.id}" (first at nodes[${firstIndex.get(node.id)}])`);
    else firstIndex.set(node.id, i);
  });

  graph.nodes.forEach((node, i) => {
    const at = `nodes[${i}]`;
    if (node.level < min || node.level > max)
      add('LEVEL_RANGE', `${at}.level`, `level ${node.level} is outside levels ${span}`);
    const n = node.inputs.length;
    if (n < MIN_ARITY[node.op] || n > MAX_ARITY[node.op]) {
      const lo = MIN_ARITY[node.op],
        hi = MAX_ARITY[node.op];
      const want = lo === hi ? `exactly ${lo}` : `at least ${lo}`;
      add('ARITY', `${at}.inputs`, `${node.op} takes ${want} inputs, got ${n}`);
    }
    const seen = new Set<string>();
    node.inputs.forEach((ref, j) => {
      const path = `${at}.inputs[${j}]`;
      if (seen.has(ref)) add('DUPLICATE_INPUT', path, `input "${ref}" is listed twice`);
      seen.add(ref);
      if (RESERVED_ID.test(ref)) {
        const digits = ref.slice(1);
        const l = Number(digits);
        if (String(l) !== digits) add('UNKNOWN_INPUT', path, `"${ref}" is not a backbone feature name (write C${l})`);
        else if (l < min || l > max)
          add('INPUT_LEVEL_RANGE', path, `backbone feature ${ref} is outside levels ${span}`);
        return;
      }
      if (ref === node.id) return add('SELF_REF', path, `node "${ref}" reads itself`);
      const k = firstIndex.get(ref);
      if (k === undefined) add('UNKNOWN_INPUT', path, `unknown id "${ref}"`);
      else if (k > i) add('FORWARD_REF', path, `"${ref}" is listed later (nodes[${k}]); inputs must come earlier`);
    });
  });

  const expected = new Set<string>();
  for (let l = min; l <= max; l++) {
    const key = `P${l}`;
    expected.add(key);
    const path = formatPath(['outputs', key]);
    if (!Object.hasOwn(graph.outputs, key)) {
      add('MISSING_OUTPUT', path, `missing output ${key} (levels ${span} each need one)`);
      continue;
    }
    const target = graph.outputs[key];
    const k = firstIndex.get(target);
    if (k === undefined) add('UNKNOWN_OUTPUT', path, `unknown id "${target}"`);
    else if (graph.nodes[k].level !== l)
      add('OUTPUT_LEVEL', path, `${key} must be a level-${l} node; "${target}" has level ${graph.nodes[k].level}`);
  }
  for (const key of Object.keys(graph.outputs)) {
    if (!expected.has(key))
      add('EXTRA_OUTPUT', formatPath(['outputs', key]), `unexpected output "${key}" (expected P${min}..P${max})`);
  }
  if (graph.feedback) checkFeedback(graph, firstIndex, add);
  return errors;
}

/** Feedback enters backbone levels max(min, 2)..max (C<l> must be a stage output) from existing nodes. */
function checkFeedback(
  graph: PyramidGraph,
  firstIndex: ReadonlyMap<string, number>,
  add: (code: GraphErrorCode, path: string, message: string) => void,
): void {
  const lo = Math.max(graph.levels.min, GRAPH_LIMITS.minFeedbackLevel);
  const { max } = graph.levels;
  const entries = Object.entries(graph.feedback!.from);
  if (entries.length === 0) add('FEEDBACK', 'feedback.from', 'feedback needs at least one C<l> entry');
  for (const [key, target] of entries) {
    const path = formatPath(['feedback', 'from', key]);
    const l = backboneLevel(key);
    if (l === undefined || `C${l}` !== key || l < lo || l > max)
      add('FEEDBACK', path, `"${key}" is not a backbone level feedback can enter (C${lo}..C${max})`);
    if (!firstIndex.has(target)) add('FEEDBACK', path, `unknown id "${target}"`);
  }
}

function deadNodeWarnings(graph: PyramidGraph): GraphWarning[] {
  const live = liveNodeIds(graph);
  const warnings: GraphWarning[] = [];
  graph.nodes.forEach((node, i) => {
    if (!live.has(node.id))
      warnings.push({ code: 'DEAD_NODE', path: `nodes[${i}]`, message: `node "${node.id}" reaches no output` });
  });
  return warnings;
}
