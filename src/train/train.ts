// The proxy training loop (DESIGN §7): build the detector for a graph, train it with Adam (warm-up +
// cosine) on the train split, evaluate COCO AP on the held-out split only. Deterministic for a seed on a
// given backend: weights, data order and the dataset itself all derive from it.
import * as tf from '@tensorflow/tfjs-core';
import type { TrialMetrics } from '../../controllers/types.js';
import { initBackend } from '../backend/index.js';
import { createShapesDataset, loadDataset } from '../data/index.js';
import { DEFAULT_LAYOUT } from '../data/layout.js';
import { checkDatasetOptions } from '../data/options.js';
import type { DatasetSplit, DetectionSample, ProxyDataset, SplitName } from '../data/types.js';
import { assignTargets, decodeDetections, Detector, detectionLoss, disposeTargets, importCheckpoint, targetTensors, updateMovingStats, type BatchNormStat, type Detection, type HeadOutput, type RunContext } from '../detector/index.js';
import { evaluateDetections } from '../eval/in-memory.js';
import type { CocoStats } from '../eval/types.js';
import { graphCost, parseGraph, PROXY_BACKBONE_CHANNELS } from '../graph/index.js';
import type { PyramidGraph } from '../graph/types.js';
import { BACKBONE_CHECKPOINT, loadBackboneCheckpoint } from './backbone-weights.js';
import { BatchSampler, imagesToFloat } from './batches.js';
import { FeatureCache, sharedFeatureCache } from './features.js';
import { resolveProxyTask, RUN_SEED_STRIDE, type ProxyTask, type ProxyTaskInput } from './config.js';
import { TrainError } from './errors.js';
import type { ProxyTaskConfig } from './proxy-config.js';
import { learningRateAt } from './schedule.js';

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  imagesPerSecond: number;
}

export interface TrainHooks {
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Called once the backend is chosen (the CLI logs it). */
  onBackend?: (b: { name: string; detail: string }) => void;
  /** Called after each run of a trial (task.runs > 1) with that run's held-out statistics. */
  onRunEnd?: (run: number, stats: CocoStats) => void;
}

/** Options of one training run within a trial. */
export interface RunOptions {
  /** Run index: weights and batch order come from task.seed + RUN_SEED_STRIDE·run; the data from task.seed. */
  run?: number;
  /** Rendered train samples shared with the trial's other runs. */
  sampleCache?: Map<number, DetectionSample>;
}

/** The graph as the proxy trains it: the task's width, repeats capped. */
export function proxyGraph(graph: PyramidGraph, task: Pick<ProxyTask, 'channels' | 'maxRepeats'>): PyramidGraph {
  return { ...graph, channels: task.channels, repeats: Math.min(graph.repeats, task.maxRepeats) };
}

/** One detector + optimizer + data stream; `step()` runs one training step and returns its loss. */
export class TrainSession {
  readonly detector: Detector;
  /** Frozen pre-trained backbone: steps train neck + head on cached features. */
  readonly frozen: boolean;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly sampler: BatchSampler;
  private readonly warmup: number;
  private readonly caches = new Map<string, FeatureCache>();
  stepIndex = 0;
  /** Global L2 norm of the last step's gradient before clipping (NaN unless clipGradNorm > 0). */
  lastGradNorm = NaN;

  constructor(readonly graph: PyramidGraph, readonly task: ProxyTask, readonly dataset: ProxyDataset, options: RunOptions = {}) {
    const runSeed = task.seed + RUN_SEED_STRIDE * (options.run ?? 0);
    this.detector = new Detector(graph, {
      inputSize: task.imageSize,
      numClasses: dataset.categories.length,
      seed: runSeed,
      anchorScales: task.anchorScales,
      anchorSizePerStride: task.anchorSize,
      headDepth: task.headDepth,
    });
    this.frozen = task.backbone === 'pretrained';
    if (this.frozen) {
      const ckpt = loadBackboneCheckpoint();
      if (!ckpt) {
        this.detector.dispose();
        throw new TrainError('NO_BACKBONE_WEIGHTS', `no pre-trained backbone at ${BACKBONE_CHECKPOINT}: make it with \`npx tsx src/train/pretrain-main.ts\` or set backbone: "scratch"`);
      }
      importCheckpoint(this.detector.store, ckpt, BACKBONE_CHECKPOINT);
    }
    this.optimizer = tf.train.adam(task.learningRate);
    this.sampler = new BatchSampler(dataset.split('train'), runSeed, options.sampleCache);
    this.warmup = task.warmupSteps ?? Math.round(task.steps * 0.1);
  }

  /** Rendered train samples (pass to the next run's session). */
  get sampleCache(): Map<number, DetectionSample> {
    return this.sampler.cache;
  }

  /** Features of a split's samples from the frozen backbone (cached for the process). */
  featureCache(split: SplitName): FeatureCache {
    const key = JSON.stringify([split, this.dataset.name, this.task.dataset, this.task.dataDir, this.task.imageSize, this.task.trainImages,
      this.task.heldoutImages, this.task.seed, this.task.minObjectSize, this.task.maxObjects, this.graph.levels, BACKBONE_CHECKPOINT]);
    let c = this.caches.get(key);
    if (!c) {
      const levels: number[] = [];
      for (let l = this.graph.levels.min; l <= this.graph.levels.max; l++) levels.push(l);
      this.caches.set(key, (c = sharedFeatureCache(key, levels)));
    }
    return c;
  }

  /**
   * The detector's forward pass over one train batch: frozen-backbone features from the cache (read through
   * the sampler, which keeps the samples it rendered) or the images themselves. The input tensors it makes
   * are pushed to `inputs` for the caller to dispose.
   */
  private batchForward(indices: number[], samples: DetectionSample[], inputs: tf.Tensor[]): (ctx: RunContext) => HeadOutput {
    if (this.frozen) {
      const train = { count: this.dataset.split('train').count, get: (i: number) => this.sampler.sample(i) };
      const features = this.featureCache('train').batch(this.detector, train, indices);
      inputs.push(...features.values());
      return (ctx) => this.detector.forwardFeatures(features, ctx);
    }
    const S = this.task.imageSize;
    const images = tf.tensor4d(imagesToFloat(samples, S), [samples.length, S, S, 3]);
    inputs.push(images);
    return (ctx) => this.detector.forward(images, ctx);
  }

  step(): number {
    const { indices, samples } = this.sampler.nextBatch(this.task.batchSize);
    const targets = targetTensors(assignTargets(samples.map((s) => s.boxes), this.detector.anchors, this.detector.numClasses));
    const stats: BatchNormStat[] = [];
    // The Adam optimizer reads its learning rate field on every update.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(this.stepIndex, this.task.steps, this.task.learningRate, this.warmup);
    let loss = NaN;
    const inputs: tf.Tensor[] = [];
    try {
      const forward = this.batchForward(indices, samples, inputs);
      const lossFn = () => detectionLoss(forward({ training: true, bnStats: stats }), targets).total;
      // A frozen backbone is not trained: only neck and head variables get gradients.
      const vars = this.frozen ? this.detector.store.variables(['neck', 'head']) : this.detector.store.variables();
      const cost = this.task.clipGradNorm > 0 ? this.clippedStep(lossFn, vars) : this.optimizer.minimize(lossFn, true, vars);
      if (cost) {
        loss = cost.dataSync()[0];
        cost.dispose();
      }
    } finally {
      for (const t of inputs) t.dispose();
      disposeTargets(targets);
    }
    if (!Number.isFinite(loss)) {
      for (const s of stats) { s.mean.dispose(); s.variance.dispose(); }
      throw new TrainError('NAN_LOSS', `loss became ${loss} at step ${this.stepIndex + 1}`, this.stepIndex + 1);
    }
    updateMovingStats(stats);
    this.stepIndex++;
    return loss;
  }

  /**
   * One update with the gradient scaled down to a global L2 norm of at most task.clipGradNorm: the heaviest
   * necks (MLFPN, FPG) at the proxy's learning rate sometimes take a step they never recover from.
   */
  private clippedStep(lossFn: () => tf.Scalar, vars: tf.Variable[]): tf.Scalar {
    const { value, grads } = tf.variableGrads(lossFn, vars);
    const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
    this.lastGradNorm = norm.dataSync()[0];
    const scale = Math.min(1, this.task.clipGradNorm / (this.lastGradNorm + 1e-12));
    const named = Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    // Below the bound the gradients go to Adam as they are; above it, scaled copies.
    const update = scale < 1 ? tf.tidy(() => named.map(({ name, tensor }) => ({ name, tensor: tf.mul(tensor, scale) }))) : named;
    this.optimizer.applyGradients(update);
    tf.dispose([norm, ...Object.values(grads), ...(update === named ? [] : update.map((u) => u.tensor))]);
    return value;
  }

  /**
   * "Precise BN": after training, replace each BN layer's moving statistics with the average batch moments
   * of `batches` train batches under the final weights. The moving averages mix moments from weights of
   * the last ~10 steps; a deep neck stacks many such layers, so its inference-mode output drifts more
   * than a shallow one's, which a short proxy would count against deep necks.
   */
  recalibrateBatchNorm(batches: number): void {
    if (batches <= 0) return;
    const sums: Array<{ stat: BatchNormStat; mean: Float64Array; variance: Float64Array }> = [];
    for (let b = 0; b < batches; b++) {
      const { indices, samples } = this.sampler.nextBatch(this.task.batchSize);
      const stats: BatchNormStat[] = [];
      const inputs: tf.Tensor[] = [];
      try {
        const forward = this.batchForward(indices, samples, inputs);
        tf.tidy(() => { forward({ training: true, bnStats: stats }); });
        stats.forEach((st, i) => {
          const m = st.mean.dataSync();
          const v = st.variance.dataSync();
          sums[i] ??= { stat: st, mean: new Float64Array(m.length), variance: new Float64Array(v.length) };
          for (let k = 0; k < m.length; k++) { sums[i].mean[k] += m[k]; sums[i].variance[k] += v[k]; }
        });
      } finally {
        for (const t of inputs) t.dispose();
        for (const st of stats) { st.mean.dispose(); st.variance.dispose(); }
      }
    }
    tf.tidy(() => {
      for (const { stat, mean, variance } of sums) {
        stat.movingMean.assign(tf.tensor1d(Float32Array.from(mean, (x) => x / batches)));
        stat.movingVariance.assign(tf.tensor1d(Float32Array.from(variance, (x) => x / batches)));
      }
    });
  }

  /** COCO statistics on a split (the held-out one for trials). */
  evaluate(split: SplitName): Promise<CocoStats> {
    const cache = this.frozen ? this.featureCache(split) : undefined;
    return evaluateSplit(this.detector, this.dataset, this.dataset.split(split), this.task.evalBatchSize, cache);
  }

  dispose(): void {
    this.optimizer.dispose();
    this.detector.dispose();
  }
}

/** Detections for every sample of a split (inference-mode BN), batch by batch; `cache`: frozen-backbone features. */
export async function detectSplit(detector: Detector, split: DatasetSplit, batchSize: number, cache?: FeatureCache): Promise<Detection[][]> {
  const S = detector.inputSize;
  const K = detector.numClasses;
  const N = detector.anchors.count;
  const out: Detection[][] = [];
  for (let start = 0; start < split.count; start += batchSize) {
    const indices: number[] = [];
    for (let i = start; i < Math.min(split.count, start + batchSize); i++) indices.push(i);
    const inputs = cache ? cache.batch(detector, split, indices) : undefined;
    const images = inputs ? undefined : tf.tensor4d(imagesToFloat(indices.map((i) => split.get(i)), S), [indices.length, S, S, 3]);
    const [scores, deltas] = tf.tidy(() => {
      const o = inputs ? detector.forwardFeatures(inputs, { training: false }) : detector.forward(images!, { training: false });
      return [tf.sigmoid(o.cls), o.box];
    });
    images?.dispose();
    if (inputs) for (const t of inputs.values()) t.dispose();
    const s = (await scores.data()) as Float32Array;
    const d = (await deltas.data()) as Float32Array;
    scores.dispose();
    deltas.dispose();
    for (let b = 0; b < indices.length; b++) {
      out.push(decodeDetections(s.subarray(b * N * K, (b + 1) * N * K), d.subarray(b * N * 4, (b + 1) * N * 4), detector.anchors, K, S));
    }
  }
  return out;
}

/** COCO statistics of a detector on a split. */
export async function evaluateSplit(detector: Detector, dataset: ProxyDataset, split: DatasetSplit, batchSize: number, cache?: FeatureCache): Promise<CocoStats> {
  const dets = await detectSplit(detector, split, batchSize, cache);
  const gt = Array.from({ length: split.count }, (_, i) => split.get(i).boxes);
  return evaluateDetections(gt, dets, dataset.categories).stats;
}

/** The task's dataset; `shapes` takes the task's object-size/count overrides (dataset difficulty). */
export async function openDataset(task: ProxyTask): Promise<ProxyDataset> {
  const options = {
    dataset: task.dataset, dataDir: task.dataDir, imageSize: task.imageSize,
    trainImages: task.trainImages, heldoutImages: task.heldoutImages, seed: task.seed,
  };
  if (task.dataset === 'shapes') {
    checkDatasetOptions(options);
    const layout = { ...DEFAULT_LAYOUT, minSize: task.minObjectSize, maxObjects: Math.max(task.maxObjects, DEFAULT_LAYOUT.minObjects) };
    return createShapesDataset({ ...options, layout });
  }
  return loadDataset(options);
}

/**
 * Train a proxy detector for `graph` and score it on the held-out split. Throws TrainError with a code
 * (`BAD_GRAPH`, `NAN_LOSS`, `ABORTED`) on failure; proxy-task errors are ProxyTaskError (`BAD_PROXY_TASK`).
 */
export async function trainAndEvaluate(
  graph: PyramidGraph,
  proxy: ProxyTaskConfig | ProxyTaskInput,
  hooks: TrainHooks = {},
): Promise<TrialMetrics> {
  const task = resolveProxyTask(proxy);
  const parsed = parseGraph(graph);
  if (!parsed.ok) {
    throw new TrainError('BAD_GRAPH', `invalid graph: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  const g = proxyGraph(parsed.graph, task);
  const started = performance.now();
  const backend = await initBackend(task.backend);
  hooks.onBackend?.(backend);
  const dataset = await openDataset(task);
  if (dataset.split('train').count === 0 || dataset.split('heldout').count === 0) {
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
    const session = new TrainSession(g, task, dataset, { run, sampleCache });
    try {
      for (let i = 0; i < task.steps; i++) {
        if (hooks.signal?.aborted) throw new TrainError('ABORTED', `training aborted at step ${run * task.steps + i}`, run * task.steps + i);
        const loss = session.step();
        if (hooks.onProgress) {
          const done = run * task.steps + i + 1;
          const seconds = (performance.now() - loopStart) / 1000;
          hooks.onProgress({ step: done, steps: totalSteps, loss, imagesPerSecond: (done * task.batchSize) / Math.max(seconds, 1e-9) });
        }
        // Yield to the event loop now and then so abort signals and timers get through.
        if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      }
      // The first run's time includes backend start, data and backbone features: the trial's real cost.
      trainSeconds += ((run === 0 ? performance.now() - started : performance.now() - runStart)) / 1000;
      const evalStart = performance.now();
      session.recalibrateBatchNorm(task.preciseBnBatches);
      const stats = await session.evaluate('heldout');
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
    AP: mean('AP'), AP50: mean('AP50'), AP75: mean('AP75'), APs: mean('APs'), APm: mean('APm'), APl: mean('APl'),
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
