// Focal loss (α .25, γ 2) on the class logits of non-ignored anchors + smooth-L1 on the box deltas of
// positive anchors, both summed and divided by the number of positives. Masks come from targets.ts
// (computed outside the tape). Two forms: fusedDetectionLoss, what training runs (one op, its value and
// gradient from one JavaScript pass over the head's per-level outputs), and detectionLoss, the same loss as
// tf ops differentiated op by op (the reference; its smooth-L1 uses min() instead of a comparison so it stays
// differentiable).
import * as tf from '@tensorflow/tfjs-core';

import type { LevelOutputs } from './head.js';
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

export interface DetectionLoss {
  total: tf.Scalar;
  cls: tf.Scalar;
  box: tf.Scalar;
}

/**
 * detectionLoss as one op on the gradient tape, on the head's per-level outputs (no concatenation, so no
 * split in the gradient) and the host-side targets (no target tensors). One pass over the outputs computes
 * the loss and its gradient in double precision; only `total` is differentiable (`cls` and `box` are its
 * parts, as values). Per logit x with target y, weight w, p = σ(x), q = p + y − 2py (= 1 − p_t),
 * α_t = y(2α − 1) + 1 − α and ce = max(x, 0) − xy + log(1 + e^−|x|):
 *   focal = α_t·q^γ·ce·w,  ∂focal/∂x = α_t·w·(γ·q^(γ−1)·(1 − 2y)·p(1 − p)·ce + q^γ·(p − y)).
 * Per box delta d with target t on a positive anchor, r = d − t: smooth-L1 = r²/(2β) if |r| < β, else
 * |r| − β/2; its derivative r/β or sign(r). Both sums are divided by max(1, positives).
 */
export function fusedDetectionLoss(out: LevelOutputs, t: BatchTargets): DetectionLoss {
  const levels = out.cls.length;
  if (out.box.length !== levels) throw new Error(`loss: ${levels} class levels but ${out.box.length} box levels`);
  const K = t.numClasses;
  const B = t.batch;
  const N = t.anchors;
  const perImage = out.cls.map((x) => x.size / (B * K));
  const total = perImage.reduce((a, b) => a + b, 0);
  if (total !== N || out.cls.some((x) => x.shape[0] !== B) || out.box.some((x, l) => x.size !== B * perImage[l] * 4))
    throw new Error(
      `loss: head outputs [${out.cls.map((x) => x.shape.join('x')).join(', ')}] / [${out.box.map((x) => x.shape.join('x')).join(', ')}] do not match targets for ${B} images × ${N} anchors × ${K} classes`,
    );
  const normalizer = Math.max(1, t.numPositive);
  const parts = { cls: 0, box: 0 };
  const op = tf.customGrad((...args) => {
    const inputs = args.slice(0, 2 * levels) as tf.Tensor[];
    const grads = inputs.map((x) => new Float32Array(x.size));
    let clsSum = 0;
    let boxSum = 0;
    let offset = 0;
    for (let l = 0; l < levels; l++) {
      const level = { n: perImage[l], offset, batch: B, anchors: N, scale: 1 / normalizer };
      clsSum += focalLevel(inputs[l].dataSync() as Float32Array, grads[l], t, level);
      boxSum += smoothL1Level(inputs[levels + l].dataSync() as Float32Array, grads[levels + l], t, level);
      offset += level.n;
    }
    parts.cls = clsSum / normalizer;
    parts.box = boxSum / normalizer;
    return {
      value: tf.scalar(parts.cls + parts.box),
      gradFunc: (dy: tf.Scalar) => {
        const s = dy.dataSync()[0];
        return grads.map((g, i) => tf.tensor(s === 1 ? g : g.map((v) => v * s), inputs[i].shape, 'float32'));
      },
    };
  });
  const value = tf.tidy('fusedDetectionLoss', () => op(...out.cls, ...out.box) as tf.Scalar);
  return { total: value, cls: tf.scalar(parts.cls), box: tf.scalar(parts.box) };
}

/** Where one level's anchors sit among all anchors of an image, and the gradient's scale (1/normalizer). */
interface LevelSpan {
  n: number;
  offset: number;
  batch: number;
  anchors: number;
  scale: number;
}

/** One level's focal-loss sum; writes its gradient (times `scale`) into `grad`. */
function focalLevel(logits: Float32Array, grad: Float32Array, t: BatchTargets, s: LevelSpan): number {
  const K = t.numClasses;
  const { cls, clsWeight } = t;
  const negAlpha = 1 - FOCAL_ALPHA;
  let sum = 0;
  for (let b = 0; b < s.batch; b++) {
    for (let j = 0; j < s.n; j++) {
      const row = b * s.anchors + s.offset + j;
      const w = clsWeight[row];
      if (w === 0) continue;
      const src = (b * s.n + j) * K;
      const dst = row * K;
      for (let k = 0; k < K; k++) {
        const x = logits[src + k];
        const y = cls[dst + k];
        const e = Math.exp(x >= 0 ? -x : x);
        const r = 1 / (1 + e);
        const p = x >= 0 ? r : e * r;
        const ce = (x > 0 ? x : 0) - x * y + Math.log1p(e);
        if (y === 0) {
          // The common case (a negative class): q = p, α_t = 1 − α.
          const q2 = p * p;
          sum += negAlpha * q2 * ce * w;
          grad[src + k] = negAlpha * w * (2 * p * p * (1 - p) * ce + q2 * p) * s.scale;
          continue;
        }
        const q = p + y - 2 * p * y;
        const alphaT = y * (2 * FOCAL_ALPHA - 1) + negAlpha;
        const qGamma = FOCAL_GAMMA === 2 ? q * q : q ** FOCAL_GAMMA;
        const dqGamma = FOCAL_GAMMA === 2 ? 2 * q : FOCAL_GAMMA * q ** (FOCAL_GAMMA - 1);
        sum += alphaT * qGamma * ce * w;
        grad[src + k] = alphaT * w * (dqGamma * (1 - 2 * y) * p * (1 - p) * ce + qGamma * (p - y)) * s.scale;
      }
    }
  }
  return sum;
}

/** One level's smooth-L1 sum over positive anchors; writes its gradient (times `scale`) into `grad`. */
function smoothL1Level(deltas: Float32Array, grad: Float32Array, t: BatchTargets, s: LevelSpan): number {
  const { box, positive } = t;
  let sum = 0;
  for (let b = 0; b < s.batch; b++) {
    for (let j = 0; j < s.n; j++) {
      const row = b * s.anchors + s.offset + j;
      const pos = positive[row];
      if (pos === 0) continue;
      const src = (b * s.n + j) * 4;
      for (let c = 0; c < 4; c++) {
        const r = deltas[src + c] - box[row * 4 + c];
        const a = Math.abs(r);
        if (a < SMOOTH_L1_BETA) {
          sum += ((0.5 * r * r) / SMOOTH_L1_BETA) * pos;
          grad[src + c] = (r / SMOOTH_L1_BETA) * pos * s.scale;
        } else {
          sum += (a - 0.5 * SMOOTH_L1_BETA) * pos;
          grad[src + c] = Math.sign(r) * pos * s.scale;
        }
      }
    }
  }
  return sum;
}
