// The study folder's evaluation files (`evaluation/evaluation.json`, `transfer/evaluation.json`), as the
// report and `--export` read them: one bounded, validated reader, so that a damaged or foreign file is
// named (file and JSON path) the same way by both instead of crashing one of them half-way through.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { EVALUATION_FILE, EVALUATION_FORMAT } from '../evaluate/run.js';
import { PyramidNasError } from '../util/errors.js';
import { jsonSyntaxReport, stripBom } from '../util/json-text.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { issuesText, zodIssues } from '../util/zod-issues.js';

/** A mean or sd the evaluation could not compute (no seed trained yet, or one seed for an sd) is null. */
const stat = z.number().nullable();
const cost = z.looseObject({ params: z.number(), macs: z.number(), channels: z.number() });

const entrySchema = z.looseObject({
  name: z.string(),
  role: z.string(),
  hash: z.string(),
  seedsDone: z.int().min(0),
  AP: z.looseObject({ mean: stat, sd: stat }),
  proxyCost: cost,
  fullWidthCost: cost.extend({ imageSize: z.number() }),
  heldoutAP: z.number().optional(),
  heldoutMinusTest: z.number().optional(),
  trainSeconds: z.number(),
});

const evaluationSchema = z.looseObject({
  format: z.literal(EVALUATION_FORMAT),
  split: z.literal('test'),
  complete: z.boolean(),
  request: z.looseObject({ campaigns: z.record(z.string(), z.string()).optional() }),
  task: z.looseObject({
    budget: z.number(),
    seeds: z.int().min(1),
    testImages: z.number(),
    proxy: z.looseObject({ dataset: z.string(), imageSize: z.number(), steps: z.number() }),
  }),
  entries: z.array(entrySchema),
});

export type StudyEvaluation = z.output<typeof evaluationSchema>;
export type StudyEvaluationEntry = StudyEvaluation['entries'][number];

/** A study-folder file that cannot be used: named, with what is wrong and where. */
function badStudyFile(file: string, what: string): PyramidNasError {
  return new PyramidNasError('BAD_STUDY_FILE', `${file}: ${what}`, { usage: true, where: { file } });
}

/** `<dir>/evaluation.json`, validated; undefined while that evaluation has not written it. */
export function readStudyEvaluation(dir: string): StudyEvaluation | undefined {
  const file = join(dir, EVALUATION_FILE);
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = stripBom(readTextBounded(file, INPUT_LIMITS.journal, 'evaluation file'));
  } catch (err) {
    throw badStudyFile(file, `cannot read: ${err instanceof BoundedReadError ? err.reason : (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(text, err);
    throw badStudyFile(file, `invalid JSON at line ${line}, column ${column}: ${reason}`);
  }
  const parsed = evaluationSchema.safeParse(value);
  if (!parsed.success)
    throw badStudyFile(
      file,
      `not a ${EVALUATION_FORMAT} file of the test split (${issuesText(zodIssues(parsed.error))})`,
    );
  return parsed.data;
}
