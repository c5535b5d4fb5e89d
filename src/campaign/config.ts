// The campaign file (campaign.json): a zod schema that rejects unknown keys everywhere, fills documented
// defaults, and reports every problem as `$.json.path: message`. See README § campaigns for each key.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { findOverflowingNumber, jsonSyntaxReport, lineColumn, overflowMessage, stripBom } from '../util/json-text.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { zodIssueMessage } from '../util/zod-issues.js';
// config.ts of the training module is plain zod (no TensorFlow.js): the campaign process stays light.
import { proxyTaskSchema, type ProxyTask } from '../train/config.js';

export const CAMPAIGN_NAME = /^[A-Za-z0-9_-]{1,64}$/;

// JSON.parse keeps a "__proto__" key, but copying it into a record silently drops it (it sets the
// prototype instead): name it as an unknown key like any other.
const optionsRecord = z.preprocess((value, ctx) => {
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
    ctx.issues.push({ code: 'custom', message: 'unknown key', path: ['__proto__'], input: value });
  }
  return value;
}, z.record(z.string(), z.unknown()));


export const campaignSchema = z.strictObject({
  /** Also the trial-id prefix, the BullMQ queue name, and the default output folder. */
  name: z.string().regex(CAMPAIGN_NAME, 'must match [A-Za-z0-9_-]{1,64}'),
  seed: z.int().default(0),
  space: z.strictObject({ name: z.string().min(1), options: optionsRecord.default({}) }),
  controller: z.strictObject({ kind: z.enum(['random', 'evolution', 'rl']), options: optionsRecord.default({}) }),
  /** The proxy task: any subset of its keys; the rest from DEFAULT_PROXY_TASK. */
  proxy: proxyTaskSchema.default(proxyTaskSchema.parse({})),
  objective: z
    .strictObject({
      metric: z.literal('AP').default('AP'),
      macsTarget: z.number().positive().optional(),
      w: z.number().finite().default(-0.07),
      rewardForInvalid: z.number().finite().default(0),
    })
    .default({ metric: 'AP', w: -0.07, rewardForInvalid: 0 }),
  budget: z
    .strictObject({
      trials: z.int().min(1).max(1_000_000).optional(),
      wallSeconds: z.number().positive().optional(),
      /** After wallSeconds, running trials get this long to finish before they are cancelled. */
      graceSeconds: z.number().min(0).optional(),
    })
    .refine((b) => b.trials !== undefined || b.wallSeconds !== undefined, { message: 'give trials, wallSeconds, or both' })
    .refine((b) => b.graceSeconds === undefined || b.wallSeconds !== undefined, { message: 'graceSeconds needs wallSeconds', path: ['graceSeconds'] }),
  /** A trial running longer is stopped and told failed with a TIMEOUT error (not retried). Default: no limit. */
  trialTimeoutSeconds: z.number().positive().max(604_800).optional(),
  /** Trials in flight at once. Default: the number of cores. */
  concurrency: z.int().min(1).max(1024).optional(),
  /** Output folder. Default: results/<name>. */
  output: z.string().min(1).optional(),
  /** Transient-error retries per trial (a crashed worker, an unexpected exception). */
  retry: z.strictObject({ attempts: z.int().min(1).max(20).default(3), backoffMs: z.int().min(0).max(600_000).default(2000) }).default({ attempts: 3, backoffMs: 2000 }),
  /** A controller snapshot is journaled every `snapshotEvery` asked+told events. */
  snapshotEvery: z.int().min(1).max(100_000).default(20),
});

export type CampaignInput = z.input<typeof campaignSchema>;

/** The wall-time grace period unless given: 10% of the wall budget, at least a minute, at most an hour. */
export function defaultGraceSeconds(wallSeconds: number): number {
  return Math.min(3600, Math.max(60, Math.round(wallSeconds * 0.1)));
}

/** The campaign with every default filled in: what `campaign.json` in the output folder holds. */
export interface ResolvedCampaign {
  name: string;
  seed: number;
  space: { name: string; options: Record<string, unknown> };
  controller: { kind: 'random' | 'evolution' | 'rl'; options: Record<string, unknown> };
  proxy: ProxyTask;
  objective: { metric: 'AP'; macsTarget?: number; w: number; rewardForInvalid: number };
  budget: { trials?: number; wallSeconds?: number; graceSeconds?: number };
  trialTimeoutSeconds?: number;
  concurrency: number;
  output: string;
  retry: { attempts: number; backoffMs: number };
  snapshotEvery: number;
}

export interface ConfigIssue {
  path: string;
  message: string;
}

export class CampaignConfigError extends Error {
  constructor(readonly file: string, readonly issues: ConfigIssue[]) {
    super(`${file}: invalid campaign file\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'CampaignConfigError';
  }
}

export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return '$' + path.map((k) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(k)) ? `.${String(k)}` : `[${JSON.stringify(String(k))}]`)).join('');
}

function zodIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) =>
    // zod reports unknown keys at their parent; name each key so the path points at the culprit.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => ({ path: jsonPath([...issue.path, k]), message: 'unknown key' }))
      : [{ path: jsonPath(issue.path), message: zodIssueMessage(issue) }],
  );
}

/** Validates a parsed campaign object and fills defaults. `cwd` anchors the default output folder. */
export function resolveCampaign(input: unknown, file = 'campaign.json', cwd = process.cwd()): ResolvedCampaign {
  const parsed = campaignSchema.safeParse(input);
  if (!parsed.success) throw new CampaignConfigError(file, zodIssues(parsed.error));
  const c = parsed.data;
  const issues: ConfigIssue[] = [];
  for (const key of ['objective', 'rewardForInvalid']) {
    if (Object.hasOwn(c.controller.options, key)) {
      issues.push({ path: `$.controller.options.${key}`, message: 'set it in the campaign\'s "objective" (the one place the reward is defined)' });
    }
  }
  if (issues.length) throw new CampaignConfigError(file, issues);
  const objective: ResolvedCampaign['objective'] = { metric: c.objective.metric, w: c.objective.w, rewardForInvalid: c.objective.rewardForInvalid };
  if (c.objective.macsTarget !== undefined) objective.macsTarget = c.objective.macsTarget;
  return {
    name: c.name,
    seed: c.seed,
    space: { name: c.space.name, options: c.space.options },
    controller: { kind: c.controller.kind, options: c.controller.options },
    proxy: c.proxy,
    objective,
    budget: {
      ...(c.budget.trials !== undefined ? { trials: c.budget.trials } : {}),
      ...(c.budget.wallSeconds !== undefined ? { wallSeconds: c.budget.wallSeconds, graceSeconds: c.budget.graceSeconds ?? defaultGraceSeconds(c.budget.wallSeconds) } : {}),
    },
    ...(c.trialTimeoutSeconds !== undefined ? { trialTimeoutSeconds: c.trialTimeoutSeconds } : {}),
    concurrency: c.concurrency ?? availableParallelism(),
    output: c.output ?? join(cwd === process.cwd() ? '' : cwd, 'results', c.name),
    retry: c.retry,
    snapshotEvery: c.snapshotEvery,
  };
}

/** Reads and resolves a campaign file; JSON syntax errors are reported with line and column. */
export function loadCampaignFile(file: string): ResolvedCampaign {
  let text: string;
  try {
    text = readTextBounded(file, INPUT_LIMITS.campaign, 'campaign file');
  } catch (err) {
    throw new CampaignConfigError(file, [{ path: '$', message: `cannot read file: ${err instanceof BoundedReadError ? err.reason : (err as Error).message}` }]);
  }
  let value: unknown;
  const body = stripBom(text);
  try {
    value = JSON.parse(body);
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(body, err);
    throw new CampaignConfigError(file, [{ path: '$', message: `not valid JSON at line ${line}, column ${column}: ${reason}` }]);
  }
  const overflow = findOverflowingNumber(body, value);
  if (overflow) {
    const { line, column } = lineColumn(body, overflow.offset);
    throw new CampaignConfigError(file, [{ path: jsonPath(overflow.path), message: `${overflowMessage(overflow)} at line ${line}, column ${column}` }]);
  }
  return resolveCampaign(value, file);
}
