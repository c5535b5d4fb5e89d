// Moving a feature from level a to level b (docs/proxy-task.md): a<b max-pool by 2^(b−a) with 'same' padding
// (side ceil(s/2^k), the cost model's s_l); a>b nearest upsample by 2^(a−b), cropped to the target side
// when the finer level's side is odd. No parameters, no MACs.
import * as tf from '@tensorflow/tfjs-core';

/** Side of the level-l feature map for a square input of `inputSize` pixels. */
export function levelSize(inputSize: number, level: number): number {
  return Math.ceil(inputSize / 2 ** level);
}

export function resample(x: tf.Tensor4D, from: number, to: number, targetSize: number): tf.Tensor4D {
  if (from === to) return x;
  if (from < to) {
    const f = 2 ** (to - from);
    return tf.maxPool(x, f, f, 'same');
  }
  const f = 2 ** (from - to);
  const [, h, w] = x.shape;
  const up = tf.image.resizeNearestNeighbor(x, [h * f, w * f]);
  if (h * f === targetSize && w * f === targetSize) return up;
  return tf.slice(up, [0, 0, 0, 0], [-1, targetSize, targetSize, -1]);
}
