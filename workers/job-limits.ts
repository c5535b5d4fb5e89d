// Resource limits on trial jobs. The proxy-task schema bounds each key by what the trainer can express
// (imageSize ≤ 1024, channels ≤ 4096, …); these limits bound what one worker process should attempt, so
// that a job sized to exhaust the 4 GB wasm heap is refused up front as invalid instead of being started,
// failing with "memory access out of bounds", and being retried. The defaults leave ample room above the
// default proxy task and allow every zoo graph at its published width and repeats; a worker operator
// raises them with `--limits JSON`. They bound keys one at a time, not their product: a job inside every
// limit can still exhaust memory, which the process pool contains by replacing the child.
import { proxyTaskSchema } from '../src/trial/proxy-task.js';
import { OptionValueError } from '../src/util/errors.js';
import { jsonPath } from '../src/util/zod-issues.js';
import { INVALID_PREFIX, InvalidTrialError } from './trial-processor.js';

export const LIMIT_KEYS = [
  'steps',
  'trainImages',
  'heldoutImages',
  'imageSize',
  'channels',
  'maxRepeats',
  'batchSize',
  'evalBatchSize',
  'runs',
] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];
export type JobLimits = Record<LimitKey, number>;

/** Default proxy task for comparison: steps 600, 8192/1024 images, 64 px, 32 channels, repeats ≤ 2, batch 32, 1 run. */
export const DEFAULT_JOB_LIMITS: Readonly<JobLimits> = Object.freeze({
  steps: 100_000,
  trainImages: 1_000_000,
  heldoutImages: 100_000,
  imageSize: 256,
  channels: 256,
  maxRepeats: 8,
  batchSize: 256,
  evalBatchSize: 256,
  runs: 8,
});

/** A bad `--limits` value: the message is `--limits: <reason>`; `reason` alone is for commander, which names the option itself. */
export class LimitsError extends OptionValueError {
  constructor(option: string, reason: string) {
    super('BAD_LIMITS', option, reason);
    this.name = 'LimitsError';
  }
}

/**
 * Parses a `--limits` value: a JSON object of some limit keys (positive integers), merged over the
 * defaults. `flag` names the option in error messages.
 */
export function parseLimits(
  text: string,
  flag = '--limits',
  base: Readonly<JobLimits> = DEFAULT_JOB_LIMITS,
): JobLimits {
  const option = flag.replace(/^-+/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LimitsError(option, `not JSON (${(err as Error).message}); e.g. ${flag} '{"imageSize":512}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LimitsError(option, `expected a JSON object such as '{"imageSize":512}'`);
  const out: JobLimits = { ...base };
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) {
      problems.push(`${jsonPath([key])}: unknown limit (known: ${LIMIT_KEYS.join(', ')})`);
    } else if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      problems.push(`${jsonPath([key])}: expected a positive integer, got ${JSON.stringify(v)}`);
    } else {
      out[key as LimitKey] = v;
    }
  }
  if (problems.length) throw new LimitsError(option, problems.join('; '));
  return out;
}

export interface LimitViolation {
  key: LimitKey;
  /** JSON path of the key in the job (`$.proxy.<key>`). */
  path: string;
  value: number;
  limit: number;
}

/** Every key of a resolved proxy task over its limit. */
export function limitViolations(
  proxy: Partial<Record<LimitKey, unknown>>,
  limits: Readonly<JobLimits>,
): LimitViolation[] {
  const out: LimitViolation[] = [];
  for (const key of LIMIT_KEYS) {
    const value = proxy[key];
    if (typeof value === 'number' && value > limits[key])
      out.push({ key, path: `$.proxy.${key}`, value, limit: limits[key] });
  }
  return out;
}

/** "$.proxy.imageSize is 1024, over the limit 256" for each violation, and one hint to raise them all. */
export function describeViolations(v: LimitViolation[], raiseWith: string): string {
  const raise = JSON.stringify(Object.fromEntries(v.map((x) => [x.key, x.value])));
  return `${v.map((x) => `${x.path} is ${x.value}, over the limit ${x.limit}`).join('; ')} (raise with ${raiseWith} '${raise}')`;
}

/**
 * Throws InvalidTrialError (no retries) if an untrusted job payload's proxy task, with its defaults filled
 * in, is over a limit. A payload whose proxy does not even validate passes through: the processor reports
 * its schema errors with their paths.
 */
export function checkJobLimits(
  data: unknown,
  limits: Readonly<JobLimits>,
  raiseWith = 'pyramid-nas worker --limits',
): void {
  const proxy = (data as { proxy?: unknown } | null)?.proxy;
  const parsed = proxyTaskSchema.safeParse(proxy);
  if (!parsed.success) return;
  const v = limitViolations(parsed.data, limits);
  if (v.length) throw new InvalidTrialError(`${INVALID_PREFIX} ${describeViolations(v, raiseWith)}`);
}

/**
 * A campaign's proxy task against the limits, as campaign-file issues (`$.proxy.<key>`): `search` checks
 * it before anything is queued, so a user learns at `--dry-run` time, not from a column of invalid trials.
 */
export function campaignLimitIssues(
  proxy: Partial<Record<LimitKey, unknown>>,
  limits: Readonly<JobLimits>,
): Array<{ path: string; message: string }> {
  return limitViolations(proxy, limits).map((v) => ({
    path: v.path,
    message: `${v.value} is over the trial-process limit ${v.limit}; if the machines can take it, raise it with --limits '${JSON.stringify({ [v.key]: v.value })}' (on search, and on every pyramid-nas worker)`,
  }));
}
