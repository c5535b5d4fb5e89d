// The proxy detector: backbone → buildPyramid(graph) → shared RetinaNet head, over one ParamStore.
import * as tf from '@tensorflow/tfjs-core';

import { PROXY_BACKBONE_CHANNELS } from '../graph/cost.js';
import type { PyramidGraph } from '../graph/types.js';
import { type AnchorSet, makeAnchors } from './anchors.js';
import { type Backbone, buildBackbone } from './backbone.js';
import { buildFeedbackPyramid, lowestFeedbackLevel } from './feedback.js';
import { buildHead, type Head, joinLevels, type LevelOutputs } from './head.js';
import type { RunContext } from './layers.js';
import { type ParamGroup, ParamStore } from './params.js';
import { buildPyramid, type Pyramid } from './pyramid.js';

export interface DetectorOptions {
  /** Square input side in pixels. */
  inputSize: number;
  numClasses: number;
  /** Seeds every weight. */
  seed: number;
  /** Anchor scales per location (1–3); × 3 aspect ratios. Default 1. */
  anchorScales?: number;
  /** Anchor side as a multiple of the level's stride. Default 4 (RetinaNet). */
  anchorSizePerStride?: number;
  /** Hidden conv layers per head subnet. Default 1. */
  headDepth?: number;
  backboneChannels?: Readonly<Record<number, number>>;
  /** Residual blocks per backbone stage C<l> (1 where absent). */
  backboneBlocks?: Readonly<Record<number, number>>;
  /** The backbone is not trained (its features come from a cache): a feedback pass runs it in inference mode. */
  frozenBackbone?: boolean;
}

export interface HeadOutput {
  /** [B, N, K] class logits. */
  cls: tf.Tensor3D;
  /** [B, N, 4] box deltas. */
  box: tf.Tensor3D;
}

export class Detector {
  readonly store: ParamStore;
  readonly anchors: AnchorSet;
  readonly numClasses: number;
  readonly inputSize: number;
  /** The backbone levels the neck reads: C<min>..C<max>, and the level below feedback's lowest entry. */
  readonly featureLevels: number[];
  private readonly backbone: Backbone;
  private readonly neck: Pyramid;
  private readonly head: Head;

  constructor(
    readonly graph: PyramidGraph,
    options: DetectorOptions,
  ) {
    const { min, max } = graph.levels;
    const scales = options.anchorScales ?? 1;
    if (!Number.isInteger(scales) || scales < 1 || scales > 3)
      throw new Error(`anchorScales must be 1, 2 or 3, got ${scales}`);
    const channels = options.backboneChannels ?? PROXY_BACKBONE_CHANNELS;
    this.inputSize = options.inputSize;
    this.numClasses = options.numClasses;
    this.store = new ParamStore(options.seed);
    this.anchors = makeAnchors(options.inputSize, min, max, scales, options.anchorSizePerStride);
    const fedFrom = lowestFeedbackLevel(graph);
    const lowest = fedFrom === undefined ? min : Math.min(min, fedFrom - 1);
    this.featureLevels = Array.from({ length: max - lowest + 1 }, (_, i) => lowest + i);
    this.backbone = buildBackbone(this.store, lowest, max, channels, options.backboneBlocks);
    const pyramid = buildPyramid(graph, {
      store: this.store,
      inputSize: options.inputSize,
      backboneChannels: channels,
    });
    this.neck =
      fedFrom === undefined
        ? pyramid
        : buildFeedbackPyramid(graph, pyramid, this.backbone, {
            store: this.store,
            inputSize: options.inputSize,
            backboneChannels: channels,
            frozenBackbone: options.frozenBackbone ?? false,
          });
    this.head = buildHead(this.store, {
      channels: graph.channels,
      numClasses: options.numClasses,
      anchorsPerLocation: this.anchors.perLocation,
      depth: options.headDepth ?? 1,
    });
  }

  /** Raw head outputs for a batch of [B, S, S, 3] images in [0, 1]. Call inside tf.tidy or a gradient. */
  forward(images: tf.Tensor4D, ctx: RunContext): HeadOutput {
    return this.forwardFeatures(this.backbone(images, ctx), ctx);
  }

  /** Backbone features of a batch, for every level in featureLevels. */
  features(images: tf.Tensor4D, ctx: RunContext): Map<number, tf.Tensor4D> {
    return this.backbone(images, ctx);
  }

  /** Neck + head on given backbone features (a frozen backbone's cached features). */
  forwardFeatures(features: Map<number, tf.Tensor4D>, ctx: RunContext): HeadOutput {
    return joinLevels(this.forwardFeatureLevels(features, ctx), this.numClasses);
  }

  /** forward(), each output level apart (what the training loss takes). */
  forwardLevels(images: tf.Tensor4D, ctx: RunContext): LevelOutputs {
    return this.forwardFeatureLevels(this.backbone(images, ctx), ctx);
  }

  /** forwardFeatures(), each output level apart (what the training loss takes). */
  forwardFeatureLevels(features: Map<number, tf.Tensor4D>, ctx: RunContext): LevelOutputs {
    const pyramid = this.neck(features, ctx);
    const levels: tf.Tensor4D[] = [];
    for (let l = this.graph.levels.min; l <= this.graph.levels.max; l++) levels.push(pyramid.get(l)!);
    return this.head(levels, ctx);
  }

  /** The neck's pyramid alone (shape tests). */
  pyramid(images: tf.Tensor4D, ctx: RunContext): Map<number, tf.Tensor4D> {
    return this.neck(this.backbone(images, ctx), ctx);
  }

  /** Trainable parameters, per group or in all. */
  params(group?: ParamGroup): number {
    return this.store.count(group);
  }

  /** Per-image MACs of each part, counted by running the built layers on one image. */
  countMacs(): Record<ParamGroup, number> {
    const macs: Record<ParamGroup, number> = { backbone: 0, neck: 0, head: 0 };
    tf.tidy(() => {
      this.forward(tf.zeros([1, this.inputSize, this.inputSize, 3]) as tf.Tensor4D, { training: false, macs });
    });
    return macs;
  }

  dispose(): void {
    this.store.dispose();
  }
}
