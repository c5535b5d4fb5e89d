// Typed validation issues of pyramid-graph/1. An invalid graph is a value (a list of these), never a throw:
// every issue carries a stable code for programs and a JSON path + message for people.
import { jsonPath } from '../util/zod-issues.js';

/** Error codes; each names one rule of the format (docs/graph-format.md) so callers (and tests) can match on it. */
export const GRAPH_ERROR_CODES = [
  'SCHEMA', // wrong type, missing or unknown key, wrong format string
  'JSON', // the text is not JSON (parseGraphFile only)
  'IO', // the file cannot be read (parseGraphFile only)
  'DUPLICATE_ID',
  'BAD_ID', // does not match [A-Za-z0-9_]{1,64}
  'RESERVED_ID', // looks like a backbone feature C<digits>
  'UNKNOWN_INPUT', // names no node and no backbone feature
  'FORWARD_REF', // names a node listed later (the graph must be listed in topological order)
  'SELF_REF',
  'DUPLICATE_INPUT', // the same input twice in one node
  'LEVEL_RANGE', // a level outside 1..9 or outside levels.min..max, or min > max
  'INPUT_LEVEL_RANGE', // C<l> with l outside levels.min..max
  'ARITY', // wrong number of inputs for the fusion op
  'FAN_IN', // more than GRAPH_LIMITS.maxFanIn inputs
  'MISSING_OUTPUT', // some P<l>, min ≤ l ≤ max, is absent
  'OUTPUT_LEVEL', // P<l> points at a node whose level is not l
  'UNKNOWN_OUTPUT', // P<l> points at no node
  'EXTRA_OUTPUT', // an output key that is not P<l> for l in min..max
  'FEEDBACK', // a feedback key that is not C<l> for a backbone level it may enter, or an unknown node
  'LIMIT', // too many nodes, repeats or channels out of range, name too long
] as const;
export type GraphErrorCode = (typeof GRAPH_ERROR_CODES)[number];

export const GRAPH_WARNING_CODES = ['DEAD_NODE'] as const;
export type GraphWarningCode = (typeof GRAPH_WARNING_CODES)[number];

export interface GraphIssue<C extends string = GraphErrorCode | GraphWarningCode> {
  code: C;
  /** JSON path in the document, e.g. `nodes[3].inputs[1]`; `$` is the document itself. */
  path: string;
  /** e.g. `unknown id "p9"`. */
  message: string;
}
export type GraphError = GraphIssue<GraphErrorCode>;
export type GraphWarning = GraphIssue<GraphWarningCode>;

/**
 * Formats path segments as `nodes[3].inputs[1]` (odd keys as `outputs["a b"]`, the root as `$`): util/zod-issues.ts's
 * syntax, relative to the document.
 */
export function formatPath(segments: ReadonlyArray<PropertyKey>): string {
  return jsonPath(segments, '');
}

/** One issue as a person reads it: `nodes[3].inputs[1]: unknown id "p9"`. */
export function formatIssue(issue: GraphIssue): string {
  return `${issue.path}: ${issue.message}`;
}
