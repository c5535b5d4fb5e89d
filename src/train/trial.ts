// One trial of the proxy task (docs/proxy-task.md): validate the graph, open the task's dataset once, then
// `task.runs` independent training sessions, each scored on one split (the held-out one; the test one only
// for `evaluate`); the metrics are the mean over runs. The built model's parameters and MACs are counted
// once per trial.
import { initBackend } from '../backend/index.js';
import { openDataset } from '../data/open.js';
import type { DetectionSample } from '../data/types.js';
import type { CocoStats } from '../eval/types.js';
import { graphCost, parseGraph, PROXY_BACKBONE_CHANNELS } from '../graph/index.js';
import type { PyramidGraph } from '../graph/types.js';
import { type ProxyTaskConfig, type ProxyTaskInput, resolveProxyTask } from '../trial/proxy-task.js';
import type { TrainHooks, TrialMetrics } from '../trial/types.js';
import { TrainError } from './errors.js';
import { proxyGraph, TrainSession } from './session.js';

/**
 * Which split scores the trial, and which runs train. Not proxy-task keys on purpose: a campaign's jobs
 * carry only the proxy task, so no campaign can score (and select) on the test split; only a direct caller
 * (`evaluate`) can.
 */
export interface ScoringOptions {
  /** `heldout` for every trial; `test` for `pyramid-nas evaluate` only, with `testImages` images. */
  split: 'heldout' | 'test';
  testImages?: number;
  /**
   * Index of the first run (default 0): run r draws its weights and batch order from
   * task.seed + RUN_SEED_STRIDE·(firstRun + r), while the data stays task.seed's, so `evaluate` trains
   * seed k of a graph as one trial with firstRun k, on the same images as every other seed.
   */
  firstRun?: number;
}

/**
 * Train a proxy detector for `graph` and score it on the held-out split (or, for `evaluate`, the test
 * split). Throws TrainError with a code (`BAD_GRAPH`, `NAN_LOSS`, `ABORTED`) on failure; proxy-task errors
 * are ProxyTaskError (`BAD_PROXY_TASK`).
 */
export async function trainAndEvaluate(
  graph: PyramidGraph,
  proxy: ProxyTaskConfig | ProxyTaskInput,
  hooks: TrainHooks = {},
  scoring: ScoringOptions = { split: 'heldout' },
): Promise<TrialMetrics> {
  const task = resolveProxyTask(proxy);
  const parsed = parseGraph(graph);
  if (!parsed.ok) {
    throw new TrainError(
      'BAD_GRAPH',
      `invalid graph: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  const g = proxyGraph(parsed.graph, task);
  const started = performance.now();
  const backend = await initBackend(task.backend);
  hooks.onBackend?.(backend);
  const scored = scoring.split;
  const dataset = await openDataset({ ...task, testImages: scored === 'test' ? (scoring.testImages ?? 0) : 0 });
  if (scored === 'test' && dataset.split('test').count === 0) {
    throw new TrainError(
      'EMPTY_DATASET',
      `dataset ${dataset.name} has no test images (a COCO folder's test split is its split file's "test" key, a test/ folder or an annotations/instances_test*.json)`,
    );
  }
  if (dataset.split('train').count === 0 || dataset.split(scored).count === 0) {
    throw new TrainError('EMPTY_DATASET', `dataset ${dataset.name} has an empty train or held-out split`);
  }
  const cost = graphCost(g, { inputSize: task.imageSize, backboneChannels: PROXY_BACKBONE_CHANNELS });
  const runs: CocoStats[] = [];
  let trainSeconds = 0;
  let evalSeconds = 0;
  let sampleCache: Map<number, DetectionSample> | undefined;
  let modelParams = 0;
  let modelMacsTotal = 0;
  const totalSteps = task.steps * task.runs;
  const loopStart = performance.now();
  for (let run = 0; run < task.runs; run++) {
    const runStart = performance.now();
    const session = new TrainSession(g, task, dataset, { run: (scoring.firstRun ?? 0) + run, sampleCache });
    try {
      for (let i = 0; i < task.steps; i++) {
        if (hooks.signal?.aborted)
          throw new TrainError('ABORTED', `training aborted at step ${run * task.steps + i}`, run * task.steps + i);
        const loss = session.step();
        if (hooks.onProgress) {
          const done = run * task.steps + i + 1;
          const seconds = (performance.now() - loopStart) / 1000;
          hooks.onProgress({
            step: done,
            steps: totalSteps,
            loss,
            imagesPerSecond: (done * task.batchSize) / Math.max(seconds, 1e-9),
          });
        }
        // Yield to the event loop now and then so abort signals and timers get through.
        if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      }
      // The first run's time includes backend start, data and backbone features: the trial's real cost.
      trainSeconds += (run === 0 ? performance.now() - started : performance.now() - runStart) / 1000;
      const evalStart = performance.now();
      session.recalibrateBatchNorm(task.preciseBnBatches);
      const stats = await session.evaluate(scored);
      evalSeconds += (performance.now() - evalStart) / 1000;
      runs.push(stats);
      hooks.onRunEnd?.(run, stats);
      sampleCache = session.sampleCache;
      if (run === 0) {
        // The same graph every run: count the built model once (countMacs runs a forward pass).
        const macs = session.detector.countMacs();
        modelParams = session.detector.params();
        modelMacsTotal = macs.backbone + macs.neck + macs.head;
      }
    } finally {
      session.dispose();
    }
  }
  const mean = (k: 'AP' | 'AP50' | 'AP75' | 'APs' | 'APm' | 'APl') => runs.reduce((s, r) => s + r[k], 0) / runs.length;
  return {
    AP: mean('AP'),
    AP50: mean('AP50'),
    AP75: mean('AP75'),
    APs: mean('APs'),
    APm: mean('APm'),
    APl: mean('APl'),
    params: cost.params,
    macs: cost.macs,
    trainSeconds,
    evalSeconds,
    backend: backend.name,
    modelParams,
    modelMacs: modelMacsTotal,
    steps: task.steps,
    runs: task.runs,
    imageSize: task.imageSize,
    channels: g.channels,
    repeats: g.repeats,
  };
}
