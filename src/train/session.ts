// One training run of the proxy (docs/proxy-task.md): the detector for a graph, its Adam optimizer (warm-up +
// cosine) and the train-split batch stream. Deterministic for a seed on a given backend: weights and data
// order derive from the run's seed.
import * as tf from '@tensorflow/tfjs-core';

import type { DetectionSample, ProxyDataset, SplitName } from '../data/types.js';
import {
  assignTargets,
  type BatchNormStat,
  type BatchTargets,
  detectionLoss,
  Detector,
  fusedDetectionLoss,
  importCheckpoint,
  joinLevels,
  type LevelOutputs,
  type RunContext,
  targetTensors,
  updateMovingStats,
} from '../detector/index.js';
import type { CocoStats } from '../eval/types.js';
import type { PyramidGraph } from '../graph/types.js';
import type { ProxyTaskConfig } from '../trial/proxy-task.js';
import { backboneVariant, loadBackboneCheckpoint } from './backbone-weights.js';
import { BatchSampler, imagesToFloat } from './batches.js';
import { RUN_SEED_STRIDE } from './config.js';
import { TrainError } from './errors.js';
import { evaluateSplit } from './evaluate.js';
import { FeatureCache, sharedFeatureCache } from './features.js';
import { FusedAdam } from './optimizer.js';
import { learningRateAt } from './schedule.js';

/** An optimizer's state as tf.Optimizer's getWeights()/setWeights() carry it. */
export type OptimizerWeights = Awaited<ReturnType<tf.Optimizer['getWeights']>>;

/** Options of one training run within a trial. */
export interface RunOptions {
  /** Run index: weights and batch order come from task.seed + RUN_SEED_STRIDE·run; the data from task.seed. */
  run?: number;
  /** Rendered train samples shared with the trial's other runs. */
  sampleCache?: Map<number, DetectionSample>;
  /**
   * Train through the per-op reference forms (batch norm and loss differentiated op by op, tf.train.adam)
   * instead of the fused ops: the same training up to float rounding, slower; for speed comparisons.
   */
  unfusedOps?: boolean;
}

/** The graph as the proxy trains it: the task's width, repeats capped. */
export function proxyGraph(graph: PyramidGraph, task: Pick<ProxyTaskConfig, 'channels' | 'maxRepeats'>): PyramidGraph {
  return { ...graph, channels: task.channels, repeats: Math.min(graph.repeats, task.maxRepeats) };
}

/** One detector + optimizer + data stream; `step()` runs one training step and returns its loss. */
export class TrainSession {
  readonly detector: Detector;
  /** Frozen pre-trained backbone: steps train neck + head on cached features. */
  readonly frozen: boolean;
  private readonly optimizer: FusedAdam | tf.AdamOptimizer;
  private readonly unfusedOps: boolean;
  private readonly sampler: BatchSampler;
  private readonly warmup: number;
  private readonly caches = new Map<string, FeatureCache>();
  /** The checkpoint file of the task's backbone variant (part of the feature cache's key). */
  private readonly backboneFile: string;
  stepIndex = 0;
  /** Global L2 norm of the last step's gradient before clipping (NaN unless clipGradNorm > 0). */
  lastGradNorm = NaN;

  constructor(
    readonly graph: PyramidGraph,
    readonly task: ProxyTaskConfig,
    readonly dataset: ProxyDataset,
    options: RunOptions = {},
  ) {
    const runSeed = task.seed + RUN_SEED_STRIDE * (options.run ?? 0);
    const variant = backboneVariant(task.backboneWeights);
    this.backboneFile = variant.file;
    this.frozen = task.backbone === 'pretrained';
    this.detector = new Detector(graph, {
      inputSize: task.imageSize,
      numClasses: dataset.categories.length,
      seed: runSeed,
      anchorScales: task.anchorScales,
      anchorSizePerStride: task.anchorSize,
      headDepth: task.headDepth,
      frozenBackbone: this.frozen,
      backboneBlocks: variant.blocks,
    });
    if (this.frozen) {
      const ckpt = loadBackboneCheckpoint(variant.file);
      if (!ckpt) {
        this.detector.dispose();
        throw new TrainError(
          'NO_BACKBONE_WEIGHTS',
          `no pre-trained backbone at ${variant.file}: make it with \`npm run pretrain:backbone -- --backbone ${variant.name}\` or set backbone: "scratch"`,
        );
      }
      importCheckpoint(this.detector.store, ckpt, variant.file);
    }
    this.unfusedOps = options.unfusedOps ?? false;
    this.optimizer = this.unfusedOps ? tf.train.adam(task.learningRate) : new FusedAdam(task.learningRate);
    this.sampler = new BatchSampler(dataset.split('train'), runSeed, options.sampleCache);
    this.warmup = task.warmupSteps ?? Math.round(task.steps * 0.1);
  }

  /** Train-split indices drawn so far (a checkpoint records it; `skipSamples` continues from it). */
  get samplesDrawn(): number {
    return this.sampler.drawn;
  }

  /** Advances the batch stream as `count` drawn indices would have (continuing from a checkpoint). */
  skipSamples(count: number): void {
    this.sampler.skip(count);
  }

  /** The optimizer's state (iteration count, then Adam's moments in variable order), for a checkpoint. */
  optimizerWeights(): Promise<OptimizerWeights> {
    return this.optimizer.getWeights();
  }

  /** Restores what optimizerWeights() returned (the tensors are copied into the optimizer's own variables). */
  setOptimizerWeights(weights: OptimizerWeights): Promise<void> {
    return this.optimizer.setWeights(weights);
  }

  /** Rendered train samples (pass to the next run's session). */
  get sampleCache(): Map<number, DetectionSample> {
    return this.sampler.cache;
  }

  /** Features of a split's samples from the frozen backbone (cached for the process). */
  featureCache(split: SplitName): FeatureCache {
    const key = JSON.stringify([
      split,
      this.dataset.name,
      this.task.dataset,
      this.task.dataDir,
      this.task.imageSize,
      this.task.trainImages,
      this.task.heldoutImages,
      this.task.seed,
      this.task.minObjectSize,
      this.task.maxObjects,
      this.detector.featureLevels,
      this.backboneFile,
    ]);
    let c = this.caches.get(key);
    if (!c) this.caches.set(key, (c = sharedFeatureCache(key, this.detector.featureLevels)));
    return c;
  }

  /**
   * The detector's forward pass over one train batch: frozen-backbone features from the cache (read through
   * the sampler, which keeps the samples it rendered) or the images themselves. The input tensors it makes
   * are pushed to `inputs` for the caller to dispose.
   */
  private batchForward(
    indices: number[],
    samples: DetectionSample[],
    inputs: tf.Tensor[],
  ): (ctx: RunContext) => LevelOutputs {
    if (this.frozen) {
      const train = { count: this.dataset.split('train').count, get: (i: number) => this.sampler.sample(i) };
      const features = this.featureCache('train').batch(this.detector, train, indices);
      inputs.push(...features.values());
      return (ctx) => this.detector.forwardFeatureLevels(features, ctx);
    }
    const S = this.task.imageSize;
    const images = tf.tensor4d(imagesToFloat(samples, S), [samples.length, S, S, 3]);
    inputs.push(images);
    return (ctx) => this.detector.forwardLevels(images, ctx);
  }

  step(): number {
    const { indices, samples } = this.sampler.nextBatch(this.task.batchSize);
    const targets = assignTargets(
      samples.map((s) => s.boxes),
      this.detector.anchors,
      this.detector.numClasses,
    );
    const stats: BatchNormStat[] = [];
    // The Adam optimizer reads its learning rate field on every update.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(
      this.stepIndex,
      this.task.steps,
      this.task.learningRate,
      this.warmup,
    );
    let loss = NaN;
    const inputs: tf.Tensor[] = [];
    try {
      const forward = this.batchForward(indices, samples, inputs);
      const lossFn = this.unfusedOps
        ? this.referenceLoss(forward, targets, stats, inputs)
        : () => fusedDetectionLoss(forward({ training: true, bnStats: stats }), targets).total;
      // A frozen backbone is not trained: only neck and head variables get gradients.
      const vars = this.frozen ? this.detector.store.variables(['neck', 'head']) : this.detector.store.variables();
      const cost =
        this.task.clipGradNorm > 0 ? this.clippedStep(lossFn, vars) : this.optimizer.minimize(lossFn, true, vars);
      if (cost) {
        loss = cost.dataSync()[0];
        cost.dispose();
      }
    } finally {
      for (const t of inputs) t.dispose();
    }
    if (!Number.isFinite(loss)) {
      for (const s of stats) {
        s.mean.dispose();
        s.variance.dispose();
      }
      throw new TrainError('NAN_LOSS', `loss became ${loss} at step ${this.stepIndex + 1}`, this.stepIndex + 1);
    }
    updateMovingStats(stats);
    this.stepIndex++;
    return loss;
  }

  /** The loss as tf ops on joined outputs, differentiated op by op; its target tensors go to `inputs`. */
  private referenceLoss(
    forward: (ctx: RunContext) => LevelOutputs,
    targets: BatchTargets,
    stats: BatchNormStat[],
    inputs: tf.Tensor[],
  ): () => tf.Scalar {
    const t = targetTensors(targets);
    inputs.push(t.cls, t.clsWeight, t.box, t.positive);
    return () => {
      const out = forward({ training: true, bnStats: stats, unfused: true });
      return detectionLoss(joinLevels(out, this.detector.numClasses), t).total;
    };
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
    const update =
      scale < 1 ? tf.tidy(() => named.map(({ name, tensor }) => ({ name, tensor: tf.mul(tensor, scale) }))) : named;
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
        tf.tidy(() => {
          forward({ training: true, bnStats: stats });
        });
        stats.forEach((st, i) => {
          const m = st.mean.dataSync();
          const v = st.variance.dataSync();
          sums[i] ??= { stat: st, mean: new Float64Array(m.length), variance: new Float64Array(v.length) };
          for (let k = 0; k < m.length; k++) {
            sums[i].mean[k] += m[k];
            sums[i].variance[k] += v[k];
          }
        });
      } finally {
        for (const t of inputs) t.dispose();
        for (const st of stats) {
          st.mean.dispose();
          st.variance.dispose();
        }
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
