// The filter transform of the input gradient: rotate each kH×kW kernel by 180° and swap its
// channel axes ([kH,kW,ci,co] → [kH,kW,co,ci] with taps reversed). wasm's Reverse kernel is slow
// (~3 ms for a 3×3×128×128 filter, more than the convolution that follows); filters are small, so
// one pass in JavaScript over a copy is several times faster than Reverse + Transpose.
import { tensor4d, type Tensor4D } from '@tensorflow/tfjs-core';

export function flipTransposeFilter(filter: Tensor4D): Tensor4D {
  const [kH, kW, ci, co] = filter.shape;
  const src = filter.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  for (let a = 0; a < kH; a++) {
    for (let b = 0; b < kW; b++) {
      const from = ((kH - 1 - a) * kW + (kW - 1 - b)) * ci * co;
      const to = (a * kW + b) * co * ci;
      for (let i = 0; i < ci; i++) {
        const row = from + i * co;
        for (let j = 0; j < co; j++) out[to + j * ci + i] = src[row + j];
      }
    }
  }
  return tensor4d(out, [kH, kW, co, ci]);
}
