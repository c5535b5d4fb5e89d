// ResizeNearestNeighborGrad for wasm and cpu. Nearest upsampling is how every pyramid graph
// resamples upward. wasm's own kernel is slow (16 ms for a [16,64,64,32] dy, ours 1 ms) and, with
// halfPixelCenters at non-integer scales, not the adjoint of the forward op;
// the cpu backend's is WRONG for batch > 1 in tfjs 4.22 (images after the first get the sums of the
// wrong pixels; test/unit/backend-kernels.test.ts checks both against the forward op's adjoint).
//   - integer up-scaling without alignCorners (the pyramid case): each input pixel owns an exact
//     fh×fw block of dy, so dx = avgPool(dy, f, f) · fh·fw (XNNPACK's pooling, one pass);
//   - anything else: the adjoint of the forward index map, a scatter-add in JavaScript using the
//     same source-index formula as the forward kernel.
import {
  avgPool,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  mul,
  ResizeNearestNeighborGrad,
  type ResizeNearestNeighborGradAttrs,
  scalar,
  type Tensor4D,
  tensor4d,
  type TensorInfo,
  tidy,
} from '@tensorflow/tfjs-core';

import { wrapInput } from './wrap.js';

/** Source row (or column) the forward op reads for output index `i`. */
export function nearestSource(
  i: number,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const frac = (effIn / effOut) * (halfPixelCenters ? i + 0.5 : i);
  const src = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  return halfPixelCenters ? Math.max(0, src) : src;
}

export function resizeNearestGradValues(
  dy: ArrayLike<number>,
  dyShape: readonly number[],
  inShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [n, outH, outW, c] = dyShape;
  const [, inH, inW] = inShape;
  const rowSrc = Array.from({ length: outH }, (_, r) => nearestSource(r, inH, outH, alignCorners, halfPixelCenters));
  const colSrc = Array.from({ length: outW }, (_, k) => nearestSource(k, inW, outW, alignCorners, halfPixelCenters));
  const dx = new Float32Array(n * inH * inW * c);
  let from = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < outH; r++) {
      const rowBase = (b * inH + rowSrc[r]) * inW;
      for (let k = 0; k < outW; k++) {
        const to = (rowBase + colSrc[k]) * c;
        for (let d = 0; d < c; d++) dx[to + d] += dy[from++];
      }
    }
  }
  return dx;
}

const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
  const images = inputs.images as TensorInfo,
    dyInfo = inputs.dy as TensorInfo;
  const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeNearestNeighborGradAttrs;
  const [, inH, inW] = images.shape;
  const [, outH, outW] = dyInfo.shape;
  const fh = outH / inH,
    fw = outW / inW;
  if (!alignCorners && Number.isInteger(fh) && Number.isInteger(fw)) {
    return tidy(() => {
      const dy = wrapInput<Tensor4D>(backend, dyInfo);
      const sums = avgPool(dy, [fh, fw], [fh, fw], 'valid');
      return fh * fw === 1 ? sums : mul(sums, scalar(fh * fw));
    });
  }
  const b = backend as KernelBackend;
  const values = resizeNearestGradValues(
    b.readSync(dyInfo.dataId) as Float32Array,
    dyInfo.shape,
    images.shape,
    alignCorners,
    halfPixelCenters,
  );
  return tidy(() => tensor4d(values, images.shape as [number, number, number, number]));
};

export const resizeNearestGradConfig: KernelConfig = {
  kernelName: ResizeNearestNeighborGrad,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};

/** The same kernel for the cpu backend, whose own one is wrong for batch > 1. */
export const resizeNearestGradCpuConfig: KernelConfig = { ...resizeNearestGradConfig, backendName: 'cpu' };
