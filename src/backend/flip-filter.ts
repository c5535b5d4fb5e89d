// The filter transform of the input gradient: rotate each kH×kW kernel by 180° and swap its
// channel axes ([kH,kW,ci,co] → [kH,kW,co,ci] with taps reversed). wasm's Reverse kernel is slow
// (~3 ms for a 3×3×128×128 filter, more than the convolution that follows); filters are small, so
// one pass in JavaScript over a copy is several times faster than Reverse + Transpose.
import { type Tensor4D, tensor4d } from '@tensorflow/tfjs-core';

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

/**
 * The filter of the sub-pixel ("phase") form of a strided input gradient: for stride s, output
 * channel (p·s+q)·ci+c at tap (th, tw) holds W[p + s(J−1−th), q + s(J−1−tw), c, co] (zero past the
 * kernel), J = ⌈k/s⌉. One stride-1 convolution of dy with it, then depthToSpace(s), gives the
 * gradient on the padded input grid with no multiply-adds spent on inserted zeros beyond J·s ≥ k.
 */
export function phaseFilter(filter: Tensor4D, sH: number, sW: number): Tensor4D {
  const [kH, kW, ci, co] = filter.shape;
  const jH = Math.ceil(kH / sH),
    jW = Math.ceil(kW / sW);
  const oc = sH * sW * ci;
  const src = filter.dataSync() as Float32Array;
  const out = new Float32Array(jH * jW * co * oc);
  for (let th = 0; th < jH; th++) {
    for (let tw = 0; tw < jW; tw++) {
      for (let p = 0; p < sH; p++) {
        const kh = p + sH * (jH - 1 - th);
        if (kh >= kH) continue;
        for (let q = 0; q < sW; q++) {
          const kw = q + sW * (jW - 1 - tw);
          if (kw >= kW) continue;
          const from = (kh * kW + kw) * ci * co;
          const chan = (p * sW + q) * ci;
          for (let o = 0; o < co; o++) {
            const to = ((th * jW + tw) * co + o) * oc + chan;
            for (let c = 0; c < ci; c++) out[to + c] = src[from + c * co + o];
          }
        }
      }
    }
  }
  return tensor4d(out, [jH, jW, co, oc]);
}
