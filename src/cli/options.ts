// Option parsers shared by the subcommands: commander turns an InvalidArgumentError into a usage
// error (exit 2) that names the option.
import { InvalidArgumentError } from 'commander';

import { type JobLimits, LimitsError, parseLimits } from '../../workers/job-limits.js';

/** An integer within [lo, hi]; rejects "1.5", "1e3" and blanks. */
export function intOption(lo: number, hi: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < lo || n > hi) {
      throw new InvalidArgumentError(`expected an integer in [${lo}, ${hi}], got "${v}"`);
    }
    return n;
  };
}

/** One of a fixed list of words. */
export function choice<T extends string>(allowed: readonly T[]) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v))
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
}

/** `--limits JSON`: raised trial resource limits (workers/job-limits.ts). */
export function limitsArg(v: string): JobLimits {
  try {
    return parseLimits(v);
  } catch (err) {
    // commander names the option itself: it gets the reason alone.
    if (err instanceof LimitsError) throw new InvalidArgumentError(err.reason);
    throw err;
  }
}
