// `pyramid-nas evaluate GRAPH.json… | --campaign results/X --top K`: the final comparison. Each graph (or
// each of a campaign's K best trials) and each baseline, projected onto the same levels and width, is
// retrained at `--budget`× the proxy's steps with `--seeds` seeds and scored on the test split, which no
// campaign reads. Prints a table, writes evaluation.json, evaluation.svg and the resumable journal
// evaluation.jsonl under --out. Bad input exits 2; a training that fails (diverged) is reported, exit 1.
// --jobs N trains N at once, each in a process of its own (the results are the same as one at a time).
// PYRAMID_NAS_TRAINER picks the trainer as for campaigns (default tfjs; `fake` in tests).
import { join } from 'node:path';

import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

import type { EvalEntry, EvalTrainer, EvaluationTask, Levels } from '../../evaluate/index.js';
import { FULL_SCALE } from '../../graph/cost.js';
import { DEFAULT_PROXY_TASK as D } from '../../trial/proxy-task.js';
import { exitCodeOf, isUsageError, PyramidNasError } from '../../util/errors.js';
import { choice, intOption } from '../options.js';

interface EvaluateOpts {
  campaign?: string;
  top?: number;
  baselines?: string[];
  budget: number;
  seeds: number;
  dataset?: string;
  data?: string;
  proxy?: Record<string, unknown>;
  testImages?: number;
  levels?: Levels;
  fullWidth: number;
  fullSize: number;
  out?: string;
  jobs: number;
}

class EvaluateUsageError extends PyramidNasError {
  constructor(message: string, option?: string) {
    super('BAD_EVALUATION_INPUT', message, { usage: true, where: option ? { option } : {} });
    this.name = 'EvaluateUsageError';
  }
}

function levelsArg(v: string): Levels {
  const m = /^P?(\d)\s*[-–]\s*P?(\d)$/i.exec(v.trim());
  if (!m || Number(m[1]) > Number(m[2]))
    throw new InvalidArgumentError(`expected a level range like 3-5 (min ≤ max), got "${v}"`);
  return { min: Number(m[1]), max: Number(m[2]) };
}

function listArg(v: string): string[] {
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError(`expected a comma-separated list, got "${v}"`);
  return items.length === 1 && items[0] === 'none' ? [] : items;
}

function jsonObjectArg(v: string): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(v);
  } catch (err) {
    throw new InvalidArgumentError(`expected a JSON object of proxy-task keys: ${(err as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new InvalidArgumentError('expected a JSON object of proxy-task keys, e.g. {"steps": 300}');
  return o as Record<string, unknown>;
}

async function runEvaluate(specs: string[], o: EvaluateOpts): Promise<void> {
  const ev = await import('../../evaluate/index.js');
  const { resolveProxyTask } = await import('../../trial/proxy-task.js');
  if (specs.length > 0 && o.campaign)
    throw new EvaluateUsageError('give graph files or --campaign DIR, not both', 'campaign');
  if (specs.length === 0 && !o.campaign)
    throw new EvaluateUsageError('nothing to evaluate: give graph files (or zoo names) or --campaign DIR');
  if (o.top !== undefined && !o.campaign) throw new EvaluateUsageError('--top needs --campaign DIR', 'top');

  const cwd = process.cwd();
  let graphs: EvalEntry[];
  let baseProxy: Record<string, unknown>;
  if (o.campaign) {
    // Loaded only here: evaluating graph files needs none of the campaign modules.
    const { campaignEntries } = await import('../../evaluate/campaign-entries.js');
    const c = campaignEntries(o.campaign, o.top ?? 3, o.levels);
    graphs = c.entries;
    baseProxy = { ...c.config.proxy };
  } else {
    graphs = await ev.graphEntries(specs, cwd, o.levels);
    baseProxy = {};
  }
  const overrides = {
    ...o.proxy,
    ...(o.dataset ? { dataset: o.dataset } : {}),
    ...(o.data ? { dataDir: o.data } : {}),
  };
  const task: EvaluationTask = ev.evaluationTask({
    base: resolveProxyTask({ ...baseProxy, ...overrides } as never),
    budget: o.budget,
    seeds: o.seeds,
    testImages: o.testImages,
  });
  const levels = o.levels ?? graphs[0].graph.levels;
  const baselineSpecs = o.baselines ?? (o.campaign ? ev.DEFAULT_CAMPAIGN_BASELINES : []);
  const baselines: EvalEntry[] = [];
  for (const spec of baselineSpecs) baselines.push(await ev.baselineEntry(spec, levels, graphs[0].graph.channels, cwd));
  const { entries, dropped } = ev.mergeEntries(graphs, baselines);
  for (const name of dropped) console.error(`${name}: the same graph as one already listed; evaluated once`);
  const out = o.out ?? (o.campaign ? join(o.campaign, 'evaluation') : join('results', 'evaluation'));

  const { createProgress } = await import('./train-progress.js');
  let progress: ReturnType<typeof createProgress> | undefined;
  // One at a time: the real trainer in this process, with its progress bar, or the one PYRAMID_NAS_TRAINER
  // names (the stand-in of tests) as a pool child would run it. With --jobs > 1 the pool's children train
  // (and this process never loads TensorFlow.js).
  const inProcess = async (): Promise<EvalTrainer> => {
    if ((process.env.PYRAMID_NAS_TRAINER ?? 'tfjs') !== 'tfjs')
      return (await import('../../evaluate/trainer.js')).evalTrainer(process.env);
    const { trainAndEvaluate } = await import('../../train/index.js');
    return async (graph, proxy, hooks, scoring) => {
      progress = createProgress(proxy.steps);
      try {
        return await trainAndEvaluate(graph, proxy, hooks, scoring);
      } finally {
        progress.stop();
      }
    };
  };
  const unused: EvalTrainer = () => Promise.reject(new Error('with --jobs > 1 the pool trains'));
  const train = o.jobs > 1 ? unused : await inProcess();
  // Ctrl-C with trainings in flight on the pool: stop them (kill their processes) and say how to continue.
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`\n${sig}: stopping the trainings in flight; rerun the same command to continue\n`);
    stop.abort();
  };
  if (o.jobs > 1) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let result: Awaited<ReturnType<typeof ev.runEvaluation>>;
  try {
    result = await ev.runEvaluation(
      {
        entries,
        task,
        full: { channels: o.fullWidth, imageSize: o.fullSize },
        out,
        title: `test AP against neck MACs (${task.proxy.dataset}, ${task.proxy.imageSize} px, budget ×${task.budget})`,
        request: {
          ...(o.campaign ? { campaign: o.campaign, top: o.top ?? 3 } : { graphs: specs }),
          baselines: baselineSpecs,
          levels,
        },
      },
      train,
      {
        log: (line) => console.error(line),
        // By code: a pool child's divergence comes back as a TrainError, the stand-in's in process as its own.
        isTrainingFailure: (err) => {
          const code = (err as { code?: unknown } | null)?.code;
          return err instanceof Error && (code === 'NAN_LOSS' || code === 'ABORTED');
        },
        trainHooks: () => ({ onProgress: (p) => progress?.update(p) }),
      },
      { concurrency: o.jobs, signal: stop.signal },
    );
  } catch (err) {
    if (stop.signal.aborted) process.exit(130);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stdout.write(ev.evaluationTable(result.rows, task));
  process.stdout.write(`\nwrote ${result.files.json}, ${result.files.svg} (journal: ${result.files.journal})\n`);
  if (result.failed.length > 0) {
    console.error(`${result.failed.length} training(s) failed; rerun the same command to retry them`);
    process.exitCode = 1;
  }
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description(
      'retrain graphs (or a campaign’s best) and baselines at a larger budget with several seeds; score them on the test split',
    )
    .argument('[graphs...]', 'pyramid-graph/1 files or zoo names (fpn, zoo:pafpn); the first one sets the levels')
    .option('--campaign <dir>', 'evaluate the best trials of this campaign output folder instead')
    .option('--top <k>', 'with --campaign: how many of its best trials (default 3)', intOption(1, 1000))
    .option(
      '--baselines <list>',
      'reference graphs projected onto the same levels: zoo names, graph files or single-level-c<N>; ' +
        '"none" for none (default: fpn,pafpn,bifpn,nas-fpn with --campaign, none with graph files)',
      listArg,
    )
    .option('--budget <x>', 'training steps as a multiple of the proxy task’s', intOption(1, 1000), 5)
    .option('--seeds <n>', 'trainings per graph, each with its own weights and batch order', intOption(1, 100), 3)
    .option(
      '--dataset <name>',
      `shapes | fashion-mnist-scenes | coco (default: the campaign’s, else ${D.dataset})`,
      choice(['shapes', 'fashion-mnist-scenes', 'coco']),
    )
    .option('--data <dir>', 'dataset folder (fashion-mnist IDX files or a COCO folder)')
    .option('--proxy <json>', 'proxy-task keys to override, as a JSON object (e.g. {"imageSize": 96})', jsonObjectArg)
    .option('--test-images <n>', 'size of the test split (default: the task’s heldoutImages)', intOption(1, 10_000_000))
    .option('--levels <range>', 'the pyramid levels, e.g. 3-5 (default: the first graph’s)', levelsArg)
    .option(
      '--full-width <channels>',
      'neck width for the full-size cost columns',
      intOption(1, 4096),
      FULL_SCALE.channels,
    )
    .option(
      '--full-size <px>',
      `input side for the full-size cost columns (${FULL_SCALE.backbone} in-channels)`,
      intOption(16, 8192),
      FULL_SCALE.inputSize,
    )
    .option('--out <dir>', 'output folder (default: <campaign>/evaluation, or results/evaluation)')
    .option(
      '--jobs <n>',
      'trainings at once, each in a process of its own (same results; default 1: one at a time, in this process)',
      intOption(1, 64),
      1,
    )
    .action(async (specs: string[], o: EvaluateOpts) => {
      try {
        await runEvaluate(specs, o);
      } catch (err) {
        const { TrainError } = await import('../../train/errors.js');
        // A test split with no images is a dataset the user must change, as any other bad input.
        const usage = isUsageError(err) || (err instanceof TrainError && err.code === 'EMPTY_DATASET');
        if (!usage && !(err instanceof PyramidNasError)) throw err;
        process.stderr.write(`pyramid-nas evaluate: ${(err as Error).message}\n`);
        process.exit(usage ? 2 : exitCodeOf(err));
      }
    });
}
