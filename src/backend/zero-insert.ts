// Zero insertion ("dilating" a gradient by the forward stride): the input gradient of a strided
// convolution is a stride-1 convolution over dy with (stride - 1) zeros between its rows and columns.
import { pad, reshape, type Tensor4D } from '@tensorflow/tfjs-core';

/**
 * [n, h, w, c] → [n, h·sH, w·sW, c] with dy at every (sH, sW)-th position and zeros elsewhere
 * (including sH-1 trailing zero rows and sW-1 trailing columns, which callers crop or keep as padding).
 * One 6-D pad on a reshaped view does it in a single pass instead of a scatter.
 */
export function zeroInsert(dy: Tensor4D, sH: number, sW: number): Tensor4D {
  if (sH === 1 && sW === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const spread = pad(reshape(dy, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sH - 1],
    [0, 0],
    [0, sW - 1],
    [0, 0],
  ]);
  return reshape(spread, [n, h * sH, w * sW, c]);
}
