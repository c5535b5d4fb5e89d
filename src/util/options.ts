// Option parsing shared by every registry (spaces, controllers, queues, trainers, datasets): zod schemas
// that reject unknown keys, and one error type whose message lists every problem with its path, e.g.
// `levels.min: expected an integer` (paths relative to the options object: util/zod-issues.ts).
import type { z } from 'zod';

import { PyramidNasError } from './errors.js';
import { findProtoKey } from './json-text.js';
import { issuesText, jsonPath, type PathIssue, zodIssues } from './zod-issues.js';

/** Bad options of one part; each issue's path is relative to the options object (`levels.min`). */
export class OptionsError extends PyramidNasError {
  constructor(
    /** What the options are of: "nas-fpn search space". */
    readonly subject: string,
    readonly issues: ReadonlyArray<PathIssue>,
    code = 'BAD_OPTIONS',
  ) {
    super(code, `invalid ${subject} options: ${issuesText(issues)}`, {
      usage: true,
      where: issues.length > 0 ? { path: issues[0].path } : {},
    });
    this.name = 'OptionsError';
  }
}

/** Parses `input` (undefined means "all defaults") or throws OptionsError naming each bad path. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  // A "__proto__" key (kept by JSON.parse) would vanish in zod's copy of a record, or of an object that
  // passes unknown keys through: name it first, like any unknown key.
  const proto = findProtoKey(input);
  if (proto) throw new OptionsError(where, [{ path: jsonPath(proto, ''), message: 'unknown key' }]);
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new OptionsError(where, zodIssues(result.error, ''));
}
