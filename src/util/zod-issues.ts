// The one way problems in JSON input are named: a JSON path in one syntax (`$.space.options.levels[0]`,
// odd keys quoted as `$.outputs["a b"]`) and a message people can act on. Campaign files, registry
// options, the proxy task, trial jobs, graphs and COCO files all report through here.
import type { z } from 'zod';

/** One problem: where (a JSON path) and what. */
export interface PathIssue {
  path: string;
  message: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The JSON path of `segments` under `root`: `$` + [0, 'bbox'] → `$[0].bbox`, an odd key as `["a b"]`.
 * A named root reads as a variable (`detections[17].bbox`); the root '' gives paths relative to the
 * document (`nodes[3].inputs[1]`), which {@link joinPath} places under another path. The document
 * itself is always `$`.
 */
export function jsonPath(segments: ReadonlyArray<PropertyKey>, root = '$'): string {
  let out = root;
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || '$';
}

/** A relative path (root '') placed under `base`: ('$.graph', 'nodes[1]') → `$.graph.nodes[1]`; '$' is `base` itself. */
export function joinPath(base: string, relative: string): string {
  if (relative === '$' || relative === '') return base;
  if (relative.startsWith('[') || base === '') return base + relative;
  return `${base}.${relative}`;
}

const NON_FINITE = new Set(['Infinity', '-Infinity', 'NaN']);

// JSON.parse turns 1e309 into Infinity, and zod then says "expected number, received Infinity" (or a
// caller's "expected number, got number"): say what is wrong instead.
/** The value zod saw, when the issue says (zod 4 names non-numbers by kind in `received`). */
function nonFiniteInput(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  const input = (issue as { input?: unknown }).input;
  if (typeof input === 'number' && !Number.isFinite(input)) return String(input);
  const received = (issue as { received?: unknown }).received;
  return typeof received === 'string' && NON_FINITE.has(received) ? received : undefined;
}

/** The issue's message, except for ±Infinity and NaN where a number was expected. */
export function zodIssueMessage(issue: z.core.$ZodIssue): string {
  const bad = nonFiniteInput(issue);
  if (bad === undefined) return issue.message;
  return bad === 'NaN'
    ? 'must be a finite number, got NaN'
    : `must be a finite number, got ${bad} (a literal too large for a number, such as 1e309, overflows to Infinity)`;
}

/**
 * Every issue of a failed zod parse with its JSON path under `root`. zod reports unknown keys at their
 * parent; here each key is an issue of its own, so the path points at the culprit.
 */
export function zodIssues(error: z.ZodError, root = '$'): PathIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: jsonPath([...issue.path, key], root), message: 'unknown key' }))
      : [{ path: jsonPath(issue.path, root), message: zodIssueMessage(issue) }],
  );
}

/** Issues as one line: `$.steps: too small; $.seed: expected an integer`. */
export function issuesText(issues: ReadonlyArray<PathIssue>, separator = '; '): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join(separator);
}
