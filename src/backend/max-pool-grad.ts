// MaxPoolGrad for wasm. wasm's own kernel (tfjs 4.22) drops the gradient of every window whose
// maximum is negative (it behaves as if the running maximum started at 0), and pyramid graphs
// down-sample arbitrary — often negative — features with max-pooling. Ours routes each window's dy
// to its first strict maximum, as the cpu backend and TensorFlow do, in one JavaScript pass.
import {
  backend_util,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  tensor4d,
  type TensorInfo,
  tidy,
} from '@tensorflow/tfjs-core';

export function maxPoolGradValues(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  info: backend_util.Conv2DInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const kH = info.effectiveFilterHeight,
    kW = info.effectiveFilterWidth;
  const top = info.padInfo.top,
    left = info.padInfo.left;
  const dx = new Float32Array(batchSize * inHeight * inWidth * c);
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - top;
      const rMin = Math.max(0, r0),
        rMax = Math.min(inHeight, r0 + kH);
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - left;
        const cMin = Math.max(0, c0),
          cMax = Math.min(inWidth, c0 + kW);
        for (let d = 0; d < c; d++, o++) {
          let best = Number.NEGATIVE_INFINITY,
            at = -1;
          for (let r = rMin; r < rMax; r++) {
            let idx = ((b * inHeight + r) * inWidth + cMin) * c + d;
            for (let q = cMin; q < cMax; q++, idx += c) {
              if (x[idx] > best) {
                best = x[idx];
                at = idx;
              }
            }
          }
          if (at >= 0) dx[at] += dy[o];
        }
      }
    }
  }
  return dx;
}

const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
  const b = backend as KernelBackend;
  const x = inputs.input as TensorInfo,
    dy = inputs.dy as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dx = maxPoolGradValues(b.readSync(x.dataId) as Float32Array, b.readSync(dy.dataId) as Float32Array, info);
  return tidy(() => tensor4d(dx, x.shape as [number, number, number, number]));
};

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};
