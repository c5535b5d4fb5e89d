// Focal loss (α .25, γ 2) on the class logits of non-ignored anchors + smooth-L1 on the box deltas of
// positive anchors, both summed and divided by the number of positives. Masks come from targets.ts
// (computed outside the tape); the smooth-L1 uses min() instead of a comparison so it stays differentiable.
import * as tf from '@tensorflow/tfjs-core';

import type { BatchTargets } from './targets.js';

export const FOCAL_ALPHA = 0.25;
export const FOCAL_GAMMA = 2;
export const SMOOTH_L1_BETA = 0.1;

export interface TargetTensors {
  cls: tf.Tensor3D;
  clsWeight: tf.Tensor3D;
  box: tf.Tensor3D;
  positive: tf.Tensor3D;
  normalizer: number;
}

export function targetTensors(t: BatchTargets): TargetTensors {
  return {
    cls: tf.tensor3d(t.cls, [t.batch, t.anchors, t.numClasses]),
    clsWeight: tf.tensor3d(t.clsWeight, [t.batch, t.anchors, 1]),
    box: tf.tensor3d(t.box, [t.batch, t.anchors, 4]),
    positive: tf.tensor3d(t.positive, [t.batch, t.anchors, 1]),
    normalizer: Math.max(1, t.numPositive),
  };
}

export function disposeTargets(t: TargetTensors): void {
  t.cls.dispose();
  t.clsWeight.dispose();
  t.box.dispose();
  t.positive.dispose();
}

export function focalLoss(logits: tf.Tensor3D, t: TargetTensors): tf.Scalar {
  const y = t.cls;
  const p = tf.sigmoid(logits);
  // Numerically stable binary cross-entropy with logits: max(x,0) − x·y + log(1 + e^−|x|).
  const ce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.softplus(tf.neg(tf.abs(logits))));
  // 1 − p_t = p + y − 2py
  const oneMinusPt = tf.sub(tf.add(p, y), tf.mul(tf.mul(p, y), 2));
  const alphaT = tf.add(tf.mul(y, 2 * FOCAL_ALPHA - 1), 1 - FOCAL_ALPHA);
  const modulating = FOCAL_GAMMA === 2 ? tf.square(oneMinusPt) : tf.pow(oneMinusPt, FOCAL_GAMMA);
  const perElement = tf.mul(tf.mul(alphaT, modulating), tf.mul(ce, t.clsWeight));
  return tf.div(tf.sum(perElement), t.normalizer) as tf.Scalar;
}

export function smoothL1Loss(deltas: tf.Tensor3D, t: TargetTensors): tf.Scalar {
  const a = tf.abs(tf.sub(deltas, t.box));
  const q = tf.minimum(a, SMOOTH_L1_BETA);
  const perElement = tf.add(tf.mul(tf.square(q), 0.5 / SMOOTH_L1_BETA), tf.sub(a, q));
  return tf.div(tf.sum(tf.mul(perElement, t.positive)), t.normalizer) as tf.Scalar;
}

export function detectionLoss(
  out: { cls: tf.Tensor3D; box: tf.Tensor3D },
  t: TargetTensors,
): { total: tf.Scalar; cls: tf.Scalar; box: tf.Scalar } {
  const cls = focalLoss(out.cls, t);
  const box = smoothL1Loss(out.box, t);
  return { total: tf.add(cls, box) as tf.Scalar, cls, box };
}
