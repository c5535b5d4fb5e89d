// The campaign file (campaign.json): a zod schema that rejects unknown keys everywhere, fills documented
// defaults, and reports every problem as `$.json.path: message`. See README § campaigns for each key.
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { z } from 'zod';

import { controllers } from '../../controllers/index.js';
import { campaignObjectiveSchema } from '../../controllers/reward.js';
// config.ts of the training module is plain zod (no TensorFlow.js): the campaign process stays light.
import { isZooSpec } from '../graph/zoo.js';
import { proxyTaskSchema, storedProxyTask } from '../trial/proxy-task.js';
import { PyramidNasError } from '../util/errors.js';
import { findOverflowingNumber, jsonSyntaxReport, lineColumn, overflowMessage, stripBom } from '../util/json-text.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { jsonPath, type PathIssue, zodIssues } from '../util/zod-issues.js';
import { type AshaScheduler, resolveScheduler, schedulerSchema } from './scheduler/config.js';

export const CAMPAIGN_NAME = /^[A-Za-z0-9_-]{1,64}$/;

// JSON.parse keeps a "__proto__" key, but copying it into a record silently drops it (it sets the
// prototype instead): name it as an unknown key like any other.
const optionsRecord = z.preprocess(
  (value, ctx) => {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
      ctx.issues.push({ code: 'custom', message: 'unknown key', path: ['__proto__'], input: value });
    }
    return value;
  },
  z.record(z.string(), z.unknown()),
);

/** A list of graphs named as resolveGraphSpec names them (`fpn`, `zoo:fpn`, a file path), each once. */
const graphSpecList = z
  .array(z.string().min(1).max(4096))
  .max(64)
  .superRefine((specs, ctx) => {
    specs.forEach((spec, i) => {
      const first = specs.indexOf(spec);
      if (first < i)
        ctx.addIssue({ code: 'custom', message: `"${spec}" is listed twice (first at [${first}])`, path: [i] });
    });
  });

const constraintsSchema = z
  .strictObject({
    /** Most MACs of the neck at the proxy's width, repeats cap and input size. */
    maxMacs: z.number().positive().optional(),
    /** Most params of the neck at the proxy's width and repeats cap. */
    maxParams: z.number().positive().optional(),
  })
  .refine((c) => c.maxMacs !== undefined || c.maxParams !== undefined, { message: 'give maxMacs, maxParams, or both' });

const controllerKind = z.string().refine((kind) => controllers.has(kind), {
  error: (issue) => `unknown controller "${String(issue.input)}" (known: ${controllers.names().join(', ')})`,
});

export const campaignSchema = z.strictObject({
  /** Also the trial-id prefix, the BullMQ queue name, and the default output folder. */
  name: z.string().regex(CAMPAIGN_NAME, 'must match [A-Za-z0-9_-]{1,64}'),
  seed: z.int().default(0),
  space: z.strictObject({ name: z.string().min(1), options: optionsRecord.default({}) }),
  // Any kind in the controller registry (the built-ins, and those a program registered before loading the file).
  controller: z.strictObject({ kind: controllerKind, options: optionsRecord.default({}) }),
  /** The proxy task: any subset of its keys; the rest from DEFAULT_PROXY_TASK. */
  proxy: proxyTaskSchema.default(proxyTaskSchema.parse({})),
  /** The reward (controllers/reward.ts): its objective and rewardForInvalid; absent, their defaults. */
  objective: campaignObjectiveSchema.prefault({}),
  budget: z
    .strictObject({
      trials: z.int().min(1).max(1_000_000).optional(),
      wallSeconds: z.number().positive().optional(),
      /** Training steps over all trials (every rung's, with a scheduler): no job starts once they are committed. */
      steps: z.int().min(1).max(1e12).optional(),
      /** After wallSeconds, running trials get this long to finish before they are cancelled. */
      graceSeconds: z.number().min(0).optional(),
    })
    .refine((b) => b.trials !== undefined || b.wallSeconds !== undefined || b.steps !== undefined, {
      message: 'give trials, wallSeconds, steps, or several of them',
    })
    .refine((b) => b.graceSeconds === undefined || b.wallSeconds !== undefined, {
      message: 'graceSeconds needs wallSeconds',
      path: ['graceSeconds'],
    }),
  /** A trial running longer is stopped and told failed with a TIMEOUT error (not retried). Default: no limit. */
  trialTimeoutSeconds: z.number().positive().max(604_800).optional(),
  /** Trials in flight at once. Default: the number of cores. */
  concurrency: z.int().min(1).max(1024).optional(),
  /** Output folder. Default: results/<name>. */
  output: z.string().min(1).optional(),
  /** Transient-error retries per trial (a crashed worker, an unexpected exception). */
  retry: z
    .strictObject({ attempts: z.int().min(1).max(20).default(3), backoffMs: z.int().min(0).max(600_000).default(2000) })
    .default({ attempts: 3, backoffMs: 2000 }),
  /** A controller snapshot is journaled every `snapshotEvery` asked+told events. */
  snapshotEvery: z.int().min(1).max(100_000).default(20),
  /** How trials get their training steps: absent, the whole proxy task; "asha": successive halving (scheduler/). */
  scheduler: schedulerSchema.optional(),
  /** Reference pyramids trained beside the search (zoo names or graph files): src/campaign/baselines.ts. */
  baselines: graphSpecList.optional(),
  /** Warm start: graphs the controller proposes first (zoo names or graph files): src/campaign/seed-graphs.ts. */
  seedGraphs: graphSpecList.optional(),
  /** Hard cost limits at the proxy's shape, checked before training: src/campaign/constraints.ts. */
  constraints: constraintsSchema.optional(),
});

export type CampaignInput = z.input<typeof campaignSchema>;

/** The wall-time grace period unless given: 10% of the wall budget, at least a minute, at most an hour. */
export function defaultGraceSeconds(wallSeconds: number): number {
  return Math.min(3600, Math.max(60, Math.round(wallSeconds * 0.1)));
}

type CampaignOutput = z.output<typeof campaignSchema>;

/**
 * The campaign with every default filled in: what `campaign.json` in the output folder holds. The schema's
 * output, with the defaults that depend on the machine or the path resolved (and budget.graceSeconds
 * filled in whenever budget.wallSeconds is given).
 */
export type ResolvedCampaign = Omit<CampaignOutput, 'concurrency' | 'output' | 'scheduler'> & {
  concurrency: number;
  output: string;
  /** Successive halving; absent: every trial trains the whole proxy task. */
  scheduler?: AshaScheduler;
};

/** One problem in a campaign file: its JSON path and what is wrong. */
export type ConfigIssue = PathIssue;

export class CampaignConfigError extends PyramidNasError {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      'BAD_CAMPAIGN',
      `${file}: invalid campaign file\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      {
        usage: true,
        where: { file, ...(issues.length > 0 ? { path: issues[0].path } : {}) },
      },
    );
    this.name = 'CampaignConfigError';
  }
}

/** Validates a parsed campaign object and fills defaults. `cwd` anchors the default output folder. */
/**
 * A campaign config as a journal stored it (resolved when it was written), ready for resolveCampaign: its
 * proxy task goes through storedProxyTask, so keys added since resolve as they did then.
 */
export function storedCampaignConfig(stored: unknown): unknown {
  if (stored === null || typeof stored !== 'object' || !('proxy' in stored)) return stored;
  return { ...stored, proxy: storedProxyTask((stored as { proxy: unknown }).proxy) };
}

export function resolveCampaign(input: unknown, file = 'campaign.json', cwd = process.cwd()): ResolvedCampaign {
  const parsed = campaignSchema.safeParse(input);
  if (!parsed.success) throw new CampaignConfigError(file, zodIssues(parsed.error));
  const c = parsed.data;
  const issues: ConfigIssue[] = [];
  for (const key of ['objective', 'rewardForInvalid']) {
    if (Object.hasOwn(c.controller.options, key)) {
      issues.push({
        path: jsonPath(['controller', 'options', key]),
        message: 'set it in the campaign\'s "objective" (the one place the reward is defined)',
      });
    }
  }
  const givenProxySteps = (input as { proxy?: { steps?: unknown } }).proxy?.steps;
  const { scheduler, proxySteps } = resolveScheduler(c.scheduler, c.proxy, givenProxySteps, issues);
  if (issues.length) throw new CampaignConfigError(file, issues);
  const objective: ResolvedCampaign['objective'] = {
    metric: c.objective.metric,
    w: c.objective.w,
    rewardForInvalid: c.objective.rewardForInvalid,
  };
  if (c.objective.macsTarget !== undefined) objective.macsTarget = c.objective.macsTarget;
  return {
    name: c.name,
    seed: c.seed,
    space: { name: c.space.name, options: c.space.options },
    controller: { kind: c.controller.kind, options: c.controller.options },
    proxy: proxySteps === c.proxy.steps ? c.proxy : { ...c.proxy, steps: proxySteps },
    objective,
    budget: {
      ...(c.budget.trials !== undefined ? { trials: c.budget.trials } : {}),
      ...(c.budget.steps !== undefined ? { steps: c.budget.steps } : {}),
      ...(c.budget.wallSeconds !== undefined
        ? {
            wallSeconds: c.budget.wallSeconds,
            graceSeconds: c.budget.graceSeconds ?? defaultGraceSeconds(c.budget.wallSeconds),
          }
        : {}),
    },
    ...(c.trialTimeoutSeconds !== undefined ? { trialTimeoutSeconds: c.trialTimeoutSeconds } : {}),
    concurrency: c.concurrency ?? availableParallelism(),
    output: c.output ?? join(cwd === process.cwd() ? '' : cwd, 'results', c.name),
    retry: c.retry,
    snapshotEvery: c.snapshotEvery,
    ...(scheduler ? { scheduler } : {}),
    ...(c.baselines?.length ? { baselines: c.baselines } : {}),
    ...(c.seedGraphs?.length ? { seedGraphs: c.seedGraphs } : {}),
    ...(c.constraints ? { constraints: c.constraints } : {}),
  };
}

/** Reads and resolves a campaign file; JSON syntax errors are reported with line and column. */
export function loadCampaignFile(file: string): ResolvedCampaign {
  let text: string;
  try {
    text = readTextBounded(file, INPUT_LIMITS.campaign, 'campaign file');
  } catch (err) {
    throw new CampaignConfigError(file, [
      {
        path: '$',
        message: `cannot read file: ${err instanceof BoundedReadError ? err.reason : (err as Error).message}`,
      },
    ]);
  }
  let value: unknown;
  const body = stripBom(text);
  try {
    value = JSON.parse(body);
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(body, err);
    throw new CampaignConfigError(file, [
      { path: '$', message: `not valid JSON at line ${line}, column ${column}: ${reason}` },
    ]);
  }
  const overflow = findOverflowingNumber(body, value);
  if (overflow) {
    const { line, column } = lineColumn(body, overflow.offset);
    throw new CampaignConfigError(file, [
      { path: jsonPath(overflow.path), message: `${overflowMessage(overflow)} at line ${line}, column ${column}` },
    ]);
  }
  return anchorGraphSpecs(resolveCampaign(value, file), dirname(file));
}

/**
 * Graph files in `baselines` and `seedGraphs` are relative to the campaign file; they are made absolute so
 * that the resolved config (campaign.json, the journal) names the same files wherever it is read from.
 */
function anchorGraphSpecs(config: ResolvedCampaign, base: string): ResolvedCampaign {
  const anchor = (specs: string[] | undefined) =>
    specs?.map((spec) => (isZooSpec(spec) || isAbsolute(spec) ? spec : resolve(base, spec)));
  const baselines = anchor(config.baselines);
  const seedGraphs = anchor(config.seedGraphs);
  return { ...config, ...(baselines ? { baselines } : {}), ...(seedGraphs ? { seedGraphs } : {}) };
}
