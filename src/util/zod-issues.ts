// Zod messages people can act on. JSON.parse turns 1e309 into Infinity, and zod then says "expected
// number, received Infinity" (or a caller's "expected number, got number"): here it says what is wrong.
import type { z } from 'zod';

const NON_FINITE = new Set(['Infinity', '-Infinity', 'NaN']);

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
  return bad === 'NaN' ? 'must be a finite number, got NaN' : `must be a finite number, got ${bad} (a literal too large for a number, such as 1e309, overflows to Infinity)`;
}
