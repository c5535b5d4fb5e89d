// The study file (study.json): campaigns × seeds run under one proxy task, then the final evaluation of
// their winners on the test split (and, optionally, on a second dataset). The campaign pieces (space,
// controller, scheduler, budget, proxy, objective) are the campaign file's own schemas, so a study accepts
// exactly what a campaign file accepts there; every problem is named by its JSON path in the study file.
import { z } from 'zod';

import { campaignSchema } from '../campaign/config.js';
import { PyramidNasError } from '../util/errors.js';
import { findOverflowingNumber, jsonSyntaxReport, lineColumn, overflowMessage, stripBom } from '../util/json-text.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { jsonPath, type PathIssue, zodIssues } from '../util/zod-issues.js';

const c = campaignSchema.shape;

/** A campaign's name inside a study: its folder is `<name>-s<seed>`, its queue `<study>-<name>-s<seed>`. */
const STUDY_NAME = /^[A-Za-z0-9_-]{1,40}$/;

const studyCampaignSchema = z.strictObject({
  name: z.string().regex(STUDY_NAME, 'must match [A-Za-z0-9_-]{1,40}'),
  space: c.space,
  controller: c.controller,
  scheduler: c.scheduler,
  budget: c.budget,
});

const evaluateSchema = z.strictObject({
  /** The best K trials of each campaign (over all its seeds, or of each seed's run: `topOf`). */
  top: z.int().min(1).max(100).default(3),
  /** "campaign": the K best of a campaign over all its seeds; "seed": the K best of every seed's run. */
  topOf: z.enum(['campaign', 'seed']).default('campaign'),
  /** Training steps as a multiple of the proxy task's. */
  budget: z.int().min(1).max(1000).default(5),
  seeds: z.int().min(1).max(100).default(3),
  baselines: z.array(z.string().min(1).max(4096)).max(64).default(['fpn', 'pafpn', 'bifpn', 'nas-fpn']),
  testImages: z.int().min(1).max(10_000_000).optional(),
});

const transferSchema = z.strictObject({
  dataset: z.enum(['shapes', 'fashion-mnist-scenes', 'coco']),
  /** The dataset's folder (fashion-mnist IDX files, a COCO folder); absent: the dataset's default. */
  data: z.string().min(1).optional(),
  /** How many of each campaign's best are retrained there (the baselines always are). */
  top: z.int().min(1).max(100).default(1),
});

export const studySchema = z
  .strictObject({
    name: z.string().regex(STUDY_NAME, 'must match [A-Za-z0-9_-]{1,40}'),
    /** Output folder, relative to the working directory. Default: results/<name>. */
    output: z.string().min(1).optional(),
    campaigns: z.array(studyCampaignSchema).min(1).max(64),
    seeds: z.array(z.int().min(0).max(1_000_000_000)).min(1).max(100),
    proxy: c.proxy,
    objective: c.objective,
    /** Reference pyramids trained on the proxy task once, beside the first campaign (held-out reference lines). */
    baselines: c.baselines,
    concurrency: c.concurrency,
    trialTimeoutSeconds: c.trialTimeoutSeconds,
    evaluate: evaluateSchema.prefault({}),
    transfer: transferSchema.optional(),
  })
  .superRefine((s, ctx) => {
    s.campaigns.forEach((camp, i) => {
      const first = s.campaigns.findIndex((o) => o.name === camp.name);
      if (first < i)
        ctx.addIssue({
          code: 'custom',
          message: `"${camp.name}" is used twice (first at [${first}])`,
          path: ['campaigns', i, 'name'],
        });
    });
    s.seeds.forEach((seed, i) => {
      const first = s.seeds.indexOf(seed);
      if (first < i)
        ctx.addIssue({
          code: 'custom',
          message: `seed ${seed} is listed twice (first at [${first}])`,
          path: ['seeds', i],
        });
    });
  });

export type StudyInput = z.input<typeof studySchema>;
export type Study = z.output<typeof studySchema>;

export class StudyConfigError extends PyramidNasError {
  constructor(
    readonly file: string,
    readonly issues: PathIssue[],
  ) {
    super('BAD_STUDY', `${file}: invalid study file\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, {
      usage: true,
      where: { file, ...(issues.length > 0 ? { path: issues[0].path } : {}) },
    });
    this.name = 'StudyConfigError';
  }
}

export function parseStudy(value: unknown, file = 'study.json'): Study {
  const parsed = studySchema.safeParse(value);
  if (!parsed.success) throw new StudyConfigError(file, zodIssues(parsed.error));
  return parsed.data;
}

/** Reads and validates a study file; JSON syntax errors are reported with line and column. */
export function loadStudyFile(file: string): Study {
  let text: string;
  try {
    text = readTextBounded(file, INPUT_LIMITS.campaign, 'study file');
  } catch (err) {
    const reason = err instanceof BoundedReadError ? err.reason : (err as Error).message;
    throw new StudyConfigError(file, [{ path: '$', message: `cannot read file: ${reason}` }]);
  }
  const body = stripBom(text);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(body, err);
    throw new StudyConfigError(file, [
      { path: '$', message: `not valid JSON at line ${line}, column ${column}: ${reason}` },
    ]);
  }
  const overflow = findOverflowingNumber(body, value);
  if (overflow) {
    const { line, column } = lineColumn(body, overflow.offset);
    throw new StudyConfigError(file, [
      { path: jsonPath(overflow.path), message: `${overflowMessage(overflow)} at line ${line}, column ${column}` },
    ]);
  }
  return parseStudy(value, file);
}
