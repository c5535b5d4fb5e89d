// Option parsing shared by the spaces (and the controllers): zod schemas that reject unknown keys, and one
// error type whose message lists every problem with its path, e.g. `levels.min: expected an integer`.
import type { z } from 'zod';
import { findProtoKey } from '../src/util/json-text.js';
import { zodIssueMessage } from '../src/util/zod-issues.js';

export class OptionsError extends Error {
  constructor(
    readonly where: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super(`invalid ${where} options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'OptionsError';
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out || '$';
}

/** Parses `input` (undefined means "all defaults") or throws OptionsError naming each bad path. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  // A "__proto__" key (kept by JSON.parse) would vanish in zod's copy of a record, or of an object that
  // passes unknown keys through: name it first, like any unknown key.
  const proto = findProtoKey(input);
  if (proto) throw new OptionsError(where, [{ path: formatPath(proto), message: 'unknown key' }]);
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new OptionsError(
    where,
    result.error.issues.map((issue) =>
      // zod reports unknown keys at the parent; name each one so the message points at the culprit.
      issue.code === 'unrecognized_keys'
        ? { path: issue.keys.map((k) => formatPath([...issue.path, k])).join(', '), message: 'unknown key' }
        : { path: formatPath(issue.path), message: zodIssueMessage(issue) },
    ),
  );
}
