// Frozen-backbone features, computed once per image (inference-mode BN, outside any gradient tape) and
// kept as typed arrays, so a trial's steps run only the neck and the head. Batches are reassembled from the
// cache per step. One cache per (dataset, split, backbone checkpoint) is kept for the process, so a worker
// that runs many trials on the same proxy task computes each image's features once. Features are always
// computed in the same fixed blocks of consecutive indices: kernels may round differently for another batch
// composition, and a trial must not depend on which trial filled the cache first.
import * as tf from '@tensorflow/tfjs-core';

import type { DatasetSplit } from '../data/types.js';
import type { Detector } from '../detector/index.js';
import { imagesToFloat } from './batches.js';

export class FeatureCache {
  private readonly byIndex = new Map<number, Float32Array[]>();
  /** Per level: [side, channels]. */
  private shapes: Array<[number, number]> = [];

  constructor(
    readonly levels: number[],
    private readonly block = 16,
  ) {}

  /** Features of the given sample indices as [B, s, s, c] tensors per level (caller disposes). */
  batch(detector: Detector, split: Pick<DatasetSplit, 'count' | 'get'>, indices: number[]): Map<number, tf.Tensor4D> {
    for (const i of indices) {
      if (this.byIndex.has(i)) continue;
      const start = i - (i % this.block);
      const block: number[] = [];
      for (let j = start; j < Math.min(split.count, start + this.block); j++) block.push(j);
      this.fill(detector, split, block);
    }
    const out = new Map<number, tf.Tensor4D>();
    this.levels.forEach((l, li) => {
      const [s, c] = this.shapes[li];
      const per = s * s * c;
      const data = new Float32Array(indices.length * per);
      indices.forEach((idx, b) => data.set(this.byIndex.get(idx)![li], b * per));
      out.set(l, tf.tensor4d(data, [indices.length, s, s, c]));
    });
    return out;
  }

  get size(): number {
    return this.byIndex.size;
  }

  private fill(detector: Detector, split: Pick<DatasetSplit, 'get'>, idx: number[]): void {
    const S = detector.inputSize;
    const batch = idx.map((i) => split.get(i));
    const images = tf.tensor4d(imagesToFloat(batch, S), [batch.length, S, S, 3]);
    const feats = tf.tidy(() => {
      const f = detector.features(images, { training: false });
      return this.levels.map((l) => f.get(l)!);
    });
    images.dispose();
    this.shapes = feats.map((t) => [t.shape[1], t.shape[3]]);
    const arrays = feats.map((t) => t.dataSync() as Float32Array);
    feats.forEach((t) => t.dispose());
    idx.forEach((i, b) => {
      this.byIndex.set(
        i,
        arrays.map((a, li) => {
          const [s, c] = this.shapes[li];
          const per = s * s * c;
          return a.slice(b * per, (b + 1) * per);
        }),
      );
    });
  }
}

const shared = new Map<string, FeatureCache>();

/** The process-wide cache for a key (dataset options + split + checkpoint); a new key evicts the old ones. */
export function sharedFeatureCache(key: string, levels: number[]): FeatureCache {
  let c = shared.get(key);
  if (!c) {
    if (shared.size >= 2) shared.clear();
    c = new FeatureCache(levels);
    shared.set(key, c);
  }
  return c;
}
