// The study's final comparison: the best trials of every campaign (pooled over its seeds, or of each seed's
// run) and the baselines, projected onto the same levels and width, retrained at the evaluation budget with
// several seeds and scored on the test split by the evaluate library, into `<out>/evaluation/`; with a
// transfer dataset, each campaign's best few and the baselines again on that dataset, into `<out>/transfer/`.
// Both are resumable through the evaluation journal: a rerun trains only what is missing. Both train as many
// graphs at once as the study's campaigns run trials (its `concurrency`), at most one per core of this
// machine (with --redis the campaigns' trials run elsewhere; the evaluation always runs here).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { readCampaignDir } from '../campaign/dir.js';
import { ranked } from '../campaign/records.js';
import { campaignEntries } from '../evaluate/campaign-entries.js';
import { baselineEntry, type EvalEntry, mergeEntries } from '../evaluate/entries.js';
import { type EvalTrainer, type EvaluationResult, runEvaluation, type RunHooks } from '../evaluate/run.js';
import { evaluationTask } from '../evaluate/task.js';
import { FULL_SCALE } from '../graph/cost.js';
import { resolveProxyTask } from '../trial/proxy-task.js';
import { PyramidNasError } from '../util/errors.js';
import type { StudyPlan } from './plan.js';

export const EVALUATION_DIR = 'evaluation';
export const TRANSFER_DIR = 'transfer';

interface Ranked {
  entry: EvalEntry;
  reward: number;
  order: number;
}

/** A campaign's best `top` trials: over all its seeds' runs pooled ("campaign"), or the best `top` of each run ("seed"). */
export function winnersOf(plan: StudyPlan, campaign: string, top: number): EvalEntry[] {
  const runs = plan.campaigns.filter((p) => p.campaign === campaign);
  const pooled: Ranked[] = [];
  for (const p of runs) {
    const rewards = new Map(ranked(readCampaignDir(p.dir).records).map((r) => [r.trialId, r.reward!]));
    if (rewards.size === 0) continue;
    const { entries } = campaignEntries(p.dir, top);
    for (const entry of entries) pooled.push({ entry, reward: rewards.get(entry.name)!, order: pooled.length });
  }
  if (plan.study.evaluate.topOf === 'seed') return pooled.map((r) => r.entry);
  return pooled
    .sort((a, b) => b.reward - a.reward || a.order - b.order)
    .slice(0, top)
    .map((r) => r.entry);
}

export interface EvaluateStepOptions {
  /** The in-process trainer (used when the evaluation trains one graph at a time). */
  train: EvalTrainer;
  hooks?: RunHooks;
  /**
   * The environment of the trainer processes when it trains several at once (default: this process's):
   * its PYRAMID_NAS_TRAINER must name the trainer `train` is (evalTrainer(env) gives the matching one).
   */
  env?: NodeJS.ProcessEnv;
  /** Stops the step (runEvaluation's signal). */
  signal?: AbortSignal;
}

/** Trainings at once: the campaigns' concurrency, at most this machine's cores. */
export function evaluationConcurrency(plan: StudyPlan): number {
  return Math.max(1, Math.min(plan.campaigns[0].config.concurrency, availableParallelism()));
}

/** Which campaign each evaluated trial came from (recorded in evaluation.json; the report groups by it). */
function campaignOfTrials(groups: Array<[string, EvalEntry[]]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [campaign, entries] of groups) for (const e of entries) out[e.name] = campaign;
  return out;
}

async function evaluateInto(
  plan: StudyPlan,
  groups: Array<[string, EvalEntry[]]>,
  proxyOverrides: Record<string, unknown>,
  out: string,
  what: string,
  o: EvaluateStepOptions,
): Promise<EvaluationResult> {
  const graphs = groups.flatMap(([, entries]) => entries);
  if (graphs.length === 0)
    throw new PyramidNasError('STUDY_NOT_READY', `${plan.out}: no campaign has a completed trial to evaluate yet`, {
      where: { file: plan.out },
    });
  const ev = plan.study.evaluate;
  const first = graphs[0].graph;
  const baselines: EvalEntry[] = [];
  for (const spec of ev.baselines)
    baselines.push(await baselineEntry(spec, first.levels, first.channels, process.cwd()));
  const { entries } = mergeEntries(graphs, baselines);
  const base = resolveProxyTask({ ...plan.campaigns[0].config.proxy, ...proxyOverrides } as never);
  const task = evaluationTask({ base, budget: ev.budget, seeds: ev.seeds, testImages: ev.testImages });
  return runEvaluation(
    {
      entries,
      task,
      full: { channels: FULL_SCALE.channels, imageSize: FULL_SCALE.inputSize },
      out,
      title: `${what}: test AP against neck MACs (${task.proxy.dataset}, ${task.proxy.imageSize} px, budget ×${task.budget})`,
      request: {
        study: plan.study.name,
        campaigns: campaignOfTrials(groups),
        baselines: ev.baselines,
        levels: first.levels,
      },
    },
    o.train,
    o.hooks,
    { concurrency: evaluationConcurrency(plan), env: o.env, signal: o.signal },
  );
}

/** The test-split evaluation of every campaign's winners and the baselines. */
export function evaluateStudy(plan: StudyPlan, o: EvaluateStepOptions): Promise<EvaluationResult> {
  const groups = plan.study.campaigns.map((c): [string, EvalEntry[]] => [
    c.name,
    winnersOf(plan, c.name, plan.study.evaluate.top),
  ]);
  return evaluateInto(plan, groups, {}, join(plan.out, EVALUATION_DIR), plan.study.name, o);
}

/** The same comparison on the transfer dataset, for each campaign's best `transfer.top` (undefined: none configured). */
export async function evaluateTransfer(plan: StudyPlan, o: EvaluateStepOptions): Promise<EvaluationResult | undefined> {
  const t = plan.study.transfer;
  if (!t) return undefined;
  const groups = plan.study.campaigns.map((c): [string, EvalEntry[]] => [c.name, winnersOf(plan, c.name, t.top)]);
  const overrides = { dataset: t.dataset, ...(t.data ? { dataDir: t.data } : {}) };
  return evaluateInto(plan, groups, overrides, join(plan.out, TRANSFER_DIR), `${plan.study.name} on ${t.dataset}`, o);
}
