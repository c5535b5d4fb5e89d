// Held-out inference and its COCO score (docs/proxy-task.md): detections batch by batch in inference mode
// (moving BN statistics), decoded in plain JS, then COCO statistics against the split's annotations.
import * as tf from '@tensorflow/tfjs-core';

import type { DatasetSplit, ProxyDataset } from '../data/types.js';
import { decodeDetections, type Detection, type Detector } from '../detector/index.js';
import { evaluateDetections } from '../eval/in-memory.js';
import type { CocoStats } from '../eval/types.js';
import { imagesToFloat } from './batches.js';
import type { FeatureCache } from './features.js';

/** Detections for every sample of a split (inference-mode BN), batch by batch; `cache`: frozen-backbone features. */
export async function detectSplit(
  detector: Detector,
  split: DatasetSplit,
  batchSize: number,
  cache?: FeatureCache,
): Promise<Detection[][]> {
  const S = detector.inputSize;
  const K = detector.numClasses;
  const N = detector.anchors.count;
  const out: Detection[][] = [];
  for (let start = 0; start < split.count; start += batchSize) {
    const indices: number[] = [];
    for (let i = start; i < Math.min(split.count, start + batchSize); i++) indices.push(i);
    const inputs = cache ? cache.batch(detector, split, indices) : undefined;
    const images = inputs
      ? undefined
      : tf.tensor4d(
          imagesToFloat(
            indices.map((i) => split.get(i)),
            S,
          ),
          [indices.length, S, S, 3],
        );
    const [scores, deltas] = tf.tidy(() => {
      const o = inputs
        ? detector.forwardFeatures(inputs, { training: false })
        : detector.forward(images!, { training: false });
      return [tf.sigmoid(o.cls), o.box];
    });
    images?.dispose();
    if (inputs) for (const t of inputs.values()) t.dispose();
    const s = (await scores.data()) as Float32Array;
    const d = (await deltas.data()) as Float32Array;
    scores.dispose();
    deltas.dispose();
    for (let b = 0; b < indices.length; b++) {
      out.push(
        decodeDetections(
          s.subarray(b * N * K, (b + 1) * N * K),
          d.subarray(b * N * 4, (b + 1) * N * 4),
          detector.anchors,
          K,
          S,
        ),
      );
    }
  }
  return out;
}

/** COCO statistics of a detector on a split. */
export async function evaluateSplit(
  detector: Detector,
  dataset: ProxyDataset,
  split: DatasetSplit,
  batchSize: number,
  cache?: FeatureCache,
): Promise<CocoStats> {
  const dets = await detectSplit(detector, split, batchSize, cache);
  const gt = Array.from({ length: split.count }, (_, i) => split.get(i).boxes);
  return evaluateDetections(gt, dets, dataset.categories).stats;
}
