// The proxy training loop (DESIGN §7): build the detector for a graph, train it with Adam (warm-up +
// cosine) on the train split, evaluate COCO AP on the held-out split only. Deterministic for a seed on a
// given backend: weights, data order and the dataset itself all derive from it.
import * as tf from '@tensorflow/tfjs-core';
import type { TrialMetrics } from '../../controllers/types.js';
import { initBackend } from '../backend/index.js';
import { createShapesDataset, loadDataset } from '../data/index.js';
import { DEFAULT_LAYOUT } from '../data/layout.js';
import { checkDatasetOptions } from '../data/options.js';
import type { DatasetSplit, ProxyDataset, SplitName } from '../data/types.js';
import { assignTargets, decodeDetections, Detector, detectionLoss, disposeTargets, importCheckpoint, targetTensors, updateMovingStats, type BatchNormStat, type Detection } from '../detector/index.js';
import { evaluateDetections } from '../eval/in-memory.js';
import type { CocoStats } from '../eval/types.js';
import { graphCost, parseGraph, PROXY_BACKBONE_CHANNELS } from '../graph/index.js';
import type { PyramidGraph } from '../graph/types.js';
import { BACKBONE_CHECKPOINT, loadBackboneCheckpoint } from './backbone-weights.js';
import { BatchSampler, imagesToFloat } from './batches.js';
import { FeatureCache, sharedFeatureCache } from './features.js';
import { resolveProxyTask, type ProxyTask, type ProxyTaskInput } from './config.js';
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

  constructor(readonly graph: PyramidGraph, readonly task: ProxyTask, readonly dataset: ProxyDataset) {
    this.detector = new Detector(graph, {
      inputSize: task.imageSize,
      numClasses: dataset.categories.length,
      seed: task.seed,
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
    this.sampler = new BatchSampler(dataset.split('train'), task.seed);
    this.warmup = task.warmupSteps ?? Math.round(task.steps * 0.1);
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

  step(): number {
    const { imageSize: S, batchSize: B } = this.task;
    const { indices, samples } = this.sampler.nextBatch(B);
    const targets = targetTensors(assignTargets(samples.map((s) => s.boxes), this.detector.anchors, this.detector.numClasses));
    const stats: BatchNormStat[] = [];
    // The Adam optimizer reads its learning rate field on every update.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(this.stepIndex, this.task.steps, this.task.learningRate, this.warmup);
    let loss = NaN;
    const inputs: tf.Tensor[] = [];
    try {
      let cost: tf.Scalar | null;
      if (this.frozen) {
        // Through the sampler, which keeps the samples it rendered.
        const train = { count: this.dataset.split('train').count, get: (i: number) => this.sampler.sample(i) };
        const features = this.featureCache('train').batch(this.detector, train, indices);
        inputs.push(...features.values());
        cost = this.optimizer.minimize(
          () => detectionLoss(this.detector.forwardFeatures(features, { training: true, bnStats: stats }), targets).total,
          true,
          this.detector.store.variables(['neck', 'head']),
        );
      } else {
        const images = tf.tensor4d(imagesToFloat(samples, S), [B, S, S, 3]);
        inputs.push(images);
        cost = this.optimizer.minimize(
          () => detectionLoss(this.detector.forward(images, { training: true, bnStats: stats }), targets).total,
          true,
          this.detector.store.variables(),
        );
      }
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
  const session = new TrainSession(g, task, dataset);
  try {
    const cost = graphCost(g, { inputSize: task.imageSize, backboneChannels: PROXY_BACKBONE_CHANNELS });
    const loopStart = performance.now();
    for (let i = 0; i < task.steps; i++) {
      if (hooks.signal?.aborted) throw new TrainError('ABORTED', `training aborted at step ${i}`, i);
      const loss = session.step();
      if (hooks.onProgress) {
        const seconds = (performance.now() - loopStart) / 1000;
        hooks.onProgress({ step: i + 1, steps: task.steps, loss, imagesPerSecond: ((i + 1) * task.batchSize) / Math.max(seconds, 1e-9) });
      }
      // Yield to the event loop now and then so abort signals and timers get through.
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const evalStart = performance.now();
    const stats = await session.evaluate('heldout');
    const evalSeconds = (performance.now() - evalStart) / 1000;
    const modelMacs = session.detector.countMacs();
    return {
      AP: stats.AP, AP50: stats.AP50, AP75: stats.AP75, APs: stats.APs, APm: stats.APm, APl: stats.APl,
      params: cost.params,
      macs: cost.macs,
      trainSeconds,
      evalSeconds,
      backend: backend.name,
      modelParams: session.detector.params(),
      modelMacs: modelMacs.backbone + modelMacs.neck + modelMacs.head,
      steps: task.steps,
      imageSize: task.imageSize,
      channels: g.channels,
      repeats: g.repeats,
    };
  } finally {
    session.dispose();
  }
}
