// The few layers the detector is made of, as closures over their own tf.variables. Every convolution
// reports its per-image multiply-accumulates to the run context when asked, so MACs are counted from the
// layers that actually ran (and compared with the graph cost model in tests).
import * as tf from '@tensorflow/tfjs-core';

import type { ParamGroup, ParamStore } from './params.js';

export interface BatchNormStat {
  movingMean: tf.Variable;
  movingVariance: tf.Variable;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export interface RunContext {
  /** Batch statistics in BN (and collect them for the moving averages) instead of the moving averages. */
  training: boolean;
  /** When present, each conv adds its per-image MACs to its group. */
  macs?: Record<ParamGroup, number>;
  /** When present (training), BN pushes its kept batch statistics here; the trainer folds them in. */
  bnStats?: BatchNormStat[];
}

export type Layer = (x: tf.Tensor4D, ctx: RunContext) => tf.Tensor4D;

export const BN_EPSILON = 1e-3;
export const BN_MOMENTUM = 0.9;

function countMacs(ctx: RunContext, group: ParamGroup, y: tf.Tensor4D, perPixel: number): void {
  if (ctx.macs) ctx.macs[group] += y.shape[1] * y.shape[2] * perPixel;
}

export interface ConvOptions {
  stride?: number;
  bias?: boolean;
  /** Weight init std; default He-normal. */
  std?: number;
  /** Initial bias value (e.g. the focal-loss prior). */
  biasInit?: number;
}

/** k×k convolution, 'same' padding. */
export function conv2d(
  store: ParamStore,
  group: ParamGroup,
  label: string,
  cin: number,
  cout: number,
  k: number,
  opts: ConvOptions = {},
): Layer {
  const stride = opts.stride ?? 1;
  const shape = [k, k, cin, cout];
  const w =
    opts.std === undefined
      ? store.he(group, `${label}/w`, shape, k * k * cin)
      : store.normal(group, `${label}/w`, shape, opts.std);
  const b = opts.bias ? store.constant(group, `${label}/b`, [cout], opts.biasInit ?? 0) : undefined;
  return (x, ctx) => {
    let y = tf.conv2d(x, w as tf.Tensor4D, stride, 'same');
    countMacs(ctx, group, y, k * k * cin * cout);
    if (b) y = tf.add(y, b);
    return y;
  };
}

/** Depthwise 3×3 then pointwise 1×1, no bias (BiFPN's separable conv). */
export function separableConv(store: ParamStore, group: ParamGroup, label: string, c: number): Layer {
  const dw = store.he(group, `${label}/dw`, [3, 3, c, 1], 9);
  const pw = store.he(group, `${label}/pw`, [1, 1, c, c], c);
  return (x, ctx) => {
    const y = tf.separableConv2d(x, dw as tf.Tensor4D, pw as tf.Tensor4D, 1, 'same');
    countMacs(ctx, group, y, 9 * c + c * c);
    return y;
  };
}

/**
 * Batch norm written with elementwise ops: its gradient is cheaper on wasm than tf.batchNorm's.
 * Training: normalise with the batch moments and hand them to the trainer for the moving averages.
 */
export function batchNorm(store: ParamStore, group: ParamGroup, label: string, c: number): Layer {
  const gamma = store.constant(group, `${label}/gamma`, [c], 1);
  const beta = store.constant(group, `${label}/beta`, [c], 0);
  const movingMean = store.stateConstant(group, `${label}/moving_mean`, [c], 0);
  const movingVariance = store.stateConstant(group, `${label}/moving_variance`, [c], 1);
  return (x, ctx) => {
    if (!ctx.training) {
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(movingVariance, BN_EPSILON)));
      const shift = tf.sub(beta, tf.mul(movingMean, scale));
      return tf.add(tf.mul(x, scale), shift);
    }
    const mean = tf.mean(x, [0, 1, 2]) as tf.Tensor1D;
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), [0, 1, 2]) as tf.Tensor1D;
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)));
    if (ctx.bnStats) ctx.bnStats.push({ movingMean, movingVariance, mean: tf.keep(mean), variance: tf.keep(variance) });
    return tf.add(tf.mul(centered, scale), beta);
  };
}

/** Fold the batch moments collected during a step into the moving averages, then free them. */
export function updateMovingStats(stats: BatchNormStat[]): void {
  tf.tidy(() => {
    for (const s of stats) {
      s.movingMean.assign(tf.add(tf.mul(s.movingMean, BN_MOMENTUM), tf.mul(s.mean, 1 - BN_MOMENTUM)));
      s.movingVariance.assign(tf.add(tf.mul(s.movingVariance, BN_MOMENTUM), tf.mul(s.variance, 1 - BN_MOMENTUM)));
    }
  });
  for (const s of stats) {
    s.mean.dispose();
    s.variance.dispose();
  }
  stats.length = 0;
}

/** Apply layers in order. */
export function sequence(...layers: Layer[]): Layer {
  return (x, ctx) => layers.reduce((y, layer) => layer(y, ctx), x);
}

export const relu: Layer = (x) => tf.relu(x);
