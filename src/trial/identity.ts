// What a trial result must prove before a campaign believes it: which campaign run asked for it (runId),
// which graph was trained (its canonical hash) and under which proxy task (a hash of the resolved proxy
// config). A campaign puts all three in the job; the processor checks the hashes against the payload and
// echoes them in its result; the campaign compares the echo with what it asked. So a result left in Redis
// by an earlier run of a campaign with the same name, or trained on another graph or proxy, can never be
// taken for this trial's result.
import { createHash } from 'node:crypto';

import type { TrialResult } from './types.js';

export interface TrialIdentity {
  runId: string;
  graphHash: string;
  proxyHash: string;
}

/** JSON with object keys sorted at every depth (undefined members dropped, as JSON.stringify does). */
export function canonicalJsonText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJsonText(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJsonText((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of the resolved proxy task's canonical JSON: equal exactly when the configs are equal. */
export function proxyHash(proxy: unknown): string {
  return createHash('sha256').update(canonicalJsonText(proxy)).digest('hex');
}

/**
 * The `proxyHash` a job carries: its proxy task's hash, or, for a job scored on the test split (`scoring`),
 * the hash of the task and its scoring together. So an evaluation's result on the test split never matches
 * the identity of a held-out trial of the same graph and task, wherever results are filed by identity.
 */
export function jobProxyHash(job: { proxy: unknown; scoring?: unknown }): string {
  return job.scoring === undefined ? proxyHash(job.proxy) : proxyHash({ proxy: job.proxy, scoring: job.scoring });
}

/**
 * The rung a successive-halving job or result names (a job's `rung.rung`, a result's `rung`), as the
 * result echoes it: a campaign files a result under the job it answers. Empty for other jobs.
 */
export function rungEcho(v: unknown): { rung?: number } {
  const r = (v as { rung?: unknown } | null)?.rung;
  const n = typeof r === 'object' && r !== null ? (r as { rung?: unknown }).rung : r;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? { rung: n } : {};
}

/** The key of a job among a campaign's jobs: its trial id, plus `.r<k>` for a promotion to rung k ≥ 1. */
export function jobKey(job: { trialId: string; rung?: unknown }): string {
  const { rung } = rungEcho(job);
  return rung ? `${job.trialId}.r${rung}` : job.trialId;
}

/** The identity fields a job or result carries (only those present as strings), and its rung echo. */
export function identityOf(v: unknown): Partial<TrialIdentity> & { rung?: number } {
  const out: Partial<TrialIdentity> & { rung?: number } = { ...rungEcho(v) };
  if (typeof v !== 'object' || v === null) return out;
  for (const k of ['runId', 'graphHash', 'proxyHash'] as const) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'string') out[k] = x;
  }
  return out;
}

/**
 * Why `result` cannot be the answer to the trial asked with `expected`, or undefined when it can.
 * A result with metrics must carry all three fields, equal; a result without metrics (a failure the
 * queue itself reports) may omit them, but any it carries must be equal.
 */
export function identityMismatch(
  expected: TrialIdentity & { trialId: string },
  result: TrialResult,
): string | undefined {
  if (result.trialId !== expected.trialId) return `result is for trial ${result.trialId}, not ${expected.trialId}`;
  const got = identityOf(result);
  const needAll = result.metrics !== undefined;
  const problems: string[] = [];
  for (const k of ['runId', 'graphHash', 'proxyHash'] as const) {
    if (got[k] === undefined) {
      if (needAll) problems.push(`no ${k}`);
    } else if (got[k] !== expected[k]) {
      problems.push(`${k} ${short(got[k]!)} (expected ${short(expected[k])})`);
    }
  }
  if (problems.length === 0) return undefined;
  return `the result of ${expected.trialId} does not match what this run asked for: ${problems.join(', ')}; it is not used`;
}

function short(h: string): string {
  return h.length > 12 ? h.slice(0, 12) : h;
}
