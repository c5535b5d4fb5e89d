// The campaign file's `scheduler` key: how trials are given their training steps. Absent (or kind "none"),
// every trial trains the whole proxy task; kind "asha" runs asynchronous successive halving (asha.ts)
// around the controller: trials start at minSteps and the best continue, up to maxSteps (the proxy task's
// `steps`, whose learning-rate schedule every rung follows).
import { z } from 'zod';

import type { PathIssue as ConfigIssue } from '../../util/zod-issues.js';
import { rungSteps } from './asha.js';

/** More rungs than this is a typo (an η barely above 1), not a schedule. */
const MAX_RUNGS = 16;

export const schedulerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('asha'),
    /** Training steps of the lowest rung, where every trial starts. */
    minSteps: z.int().min(1).max(1_000_000),
    /** Training steps of the top rung: the proxy task's `steps` (given here, it sets them). */
    maxSteps: z.int().min(1).max(1_000_000).optional(),
    /** Reduction factor: the top 1/η of a rung's results are promoted, and each rung trains η× the steps of the one below. */
    eta: z.number().min(1.5).max(100).default(3),
  }),
]);

export type SchedulerInput = z.input<typeof schedulerSchema>;

/** The resolved scheduler: ASHA with every value filled in (campaigns without one have no `scheduler`). */
export interface AshaScheduler {
  kind: 'asha';
  minSteps: number;
  maxSteps: number;
  eta: number;
}

/**
 * Resolves the parsed `scheduler` against the proxy task. `givenProxySteps` is `proxy.steps` as the file
 * wrote it (undefined when it relies on the default). Returns the scheduler and the proxy's steps, or pushes
 * issues at their JSON paths.
 */
export function resolveScheduler(
  parsed: z.output<typeof schedulerSchema> | undefined,
  proxy: { steps: number; runs: number },
  givenProxySteps: unknown,
  issues: ConfigIssue[],
): { scheduler?: AshaScheduler; proxySteps: number } {
  if (!parsed || parsed.kind === 'none') return { proxySteps: proxy.steps };
  const maxSteps = parsed.maxSteps ?? proxy.steps;
  if (parsed.maxSteps !== undefined && givenProxySteps !== undefined && parsed.maxSteps !== givenProxySteps)
    issues.push({
      path: '$.scheduler.maxSteps',
      message: `${parsed.maxSteps} differs from $.proxy.steps (${String(givenProxySteps)}): the top rung is the proxy's full run; give one of them`,
    });
  if (parsed.minSteps >= maxSteps)
    issues.push({
      path: '$.scheduler.minSteps',
      message: `${parsed.minSteps} must be below maxSteps (${maxSteps}): the lowest rung trains fewer steps than the full run`,
    });
  else if (rungSteps(parsed.minSteps, maxSteps, parsed.eta).length > MAX_RUNGS)
    issues.push({
      path: '$.scheduler.eta',
      message: `${parsed.eta} gives more than ${MAX_RUNGS} rungs between ${parsed.minSteps} and ${maxSteps} steps`,
    });
  if (proxy.runs !== 1)
    issues.push({
      path: '$.proxy.runs',
      message: `${proxy.runs}: successive halving continues one training run from rung to rung; set runs to 1`,
    });
  return { scheduler: { kind: 'asha', minSteps: parsed.minSteps, maxSteps, eta: parsed.eta }, proxySteps: maxSteps };
}
