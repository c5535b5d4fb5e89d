// The evaluation's trainings as trial jobs for the process pool (`evaluate --jobs N`, a study's evaluation at
// its concurrency): each (entry, seed) is one job scored on the test split (TrialJob.scoring), and each
// answer is turned back into what the in-process trainer would have returned or thrown, so the run handles
// both paths alike. A job carries an identity (a run id of its own, the graph's hash, and the hash of its
// task *with* its scoring), checked by the child and again here on the answer.
import { randomBytes } from 'node:crypto';

import { graphHash } from '../graph/index.js';
import { TRAIN_ERROR_CODES, TrainError, type TrainErrorCode } from '../train/errors.js';
import { identityMismatch, jobProxyHash } from '../trial/identity.js';
import type { TrialJob, TrialMetrics, TrialResult } from '../trial/types.js';
import { ERROR_CODE, PyramidNasError } from '../util/errors.js';
import type { EvalEntry } from './entries.js';
import type { EvaluationTask } from './task.js';

const TRAIN_ERROR_CODE_SET: ReadonlySet<string> = new Set(TRAIN_ERROR_CODES);

/** A run id for one evaluation's jobs (12 hex digits, as a campaign run's). */
export const evaluationRunId = (): string => randomBytes(6).toString('hex');

/**
 * The job of seed `seed` of the entry at `entryIndex` of the plan: trial `evaluation-e<entryIndex>-<seed>`,
 * whose index is the seed (as the in-process stand-in trainer numbers it).
 */
export function evaluationJob(
  entry: EvalEntry,
  entryIndex: number,
  seed: number,
  task: EvaluationTask,
  runId: string,
): TrialJob {
  const campaign = `evaluation-e${entryIndex}`;
  const scoring = { split: 'test' as const, testImages: task.testImages, firstRun: seed };
  return {
    campaign,
    trialId: `${campaign}-${seed}`,
    index: seed,
    graph: entry.graph,
    proxy: task.proxy,
    scoring,
    runId,
    graphHash: graphHash(entry.graph),
    proxyHash: jobProxyHash({ proxy: task.proxy, scoring }),
  };
}

/**
 * The metrics of a pool's answer to `job`, or the error the in-process trainer would have thrown: a failed
 * training ("NAN_LOSS: …", the processor's `code: message`) as a TrainError with that code; a job the
 * trainer refused (bad input: a dataset folder that is a file, …) as a usage error naming the training.
 */
export function answerMetrics(job: TrialJob, result: TrialResult, what: string): TrialMetrics {
  if (result.status === 'complete') {
    const mismatch = identityMismatch(
      { trialId: job.trialId, runId: job.runId!, graphHash: job.graphHash!, proxyHash: job.proxyHash! },
      result,
    );
    if (mismatch) throw new Error(`${what}: ${mismatch}`);
    if (!result.metrics) throw new Error(`${what}: a complete result without metrics`);
    return result.metrics;
  }
  const text = result.error ?? `${result.status} without an error message`;
  if (result.status === 'invalid') throw new PyramidNasError('INVALID_TRIAL', `${what}: ${text}`, { usage: true });
  const sep = text.indexOf(': ');
  const code = sep > 0 ? text.slice(0, sep) : '';
  const message = sep > 0 ? text.slice(sep + 2) : text;
  if (TRAIN_ERROR_CODE_SET.has(code)) throw new TrainError(code as TrainErrorCode, message);
  throw new PyramidNasError(ERROR_CODE.test(code) ? code : 'TRAINING_FAILED', ERROR_CODE.test(code) ? message : text);
}
