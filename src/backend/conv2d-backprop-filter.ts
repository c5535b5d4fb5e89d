// Conv2DBackpropFilter for wasm (wasm has none), from forward ops:
//   dW[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, oh·s+kh, ow·s+kw, ci] · dy[n,oh,ow,co]
// is a convolution whose "batch" is ci, whose "channels" are n and whose filter is dy itself,
// dilated by the forward stride: conv2d(transpose(x,[3,1,2,0]), transpose(dy,[1,2,0,3]), dilation s)
// → [ci, kh, kw, co], transposed back. The 'im2col' route instead stacks one strided slice of
// transpose(x) per tap into patchesᵀ [kh·kw·ci, n·oh·ow] and does one plain matMul with dy (wasm's
// BatchMatMul is fast only without transpose flags, so operands are transposed explicitly).
import {
  concat, conv2d, matMul, reshape, stridedSlice, tidy, transpose,
  Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc,
  type Tensor2D, type Tensor4D, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convGeometry, padOrCrop, type ConvGeometry } from './geometry.js';
import { kernelRoutes } from './routes.js';
import { wrapInput } from './wrap.js';

export function conv2dBackpropFilterImpl(x: Tensor4D, dy: Tensor4D, filterShape: readonly number[], attrs: Conv2DBackpropFilterAttrs): Tensor4D {
  const g = convGeometry('Conv2DBackpropFilter', x.shape, filterShape, attrs, false);
  // Rows of the padded input the forward conv read: padTop zeros, then up to kH+(outH-1)·s in all.
  const bottom = g.kH + (g.outH - 1) * g.sH - g.inH - g.padTop;
  const right = g.kW + (g.outW - 1) * g.sW - g.inW - g.padLeft;
  const route = kernelRoutes.backpropFilter === 'auto' ? autoFilterRoute(g) : kernelRoutes.backpropFilter;
  if (route === 'im2col') return im2colFilterGrad(padOrCrop(transpose(x, [3, 0, 1, 2]), g.padTop, bottom, g.padLeft, right, [2, 3]), dy, g);
  const xt = padOrCrop(transpose(x, [3, 1, 2, 0]), g.padTop, bottom, g.padLeft, right);
  const dyt = transpose(dy, [1, 2, 0, 3]);
  const out = conv2d(xt, dyt, 1, 'valid', 'NHWC', [g.sH, g.sW]); // [ci, kh, kw, co]
  return transpose(out, [1, 2, 0, 3]);
}

/** Measured-best route per shape (see README, section backend). */
function autoFilterRoute(g: ConvGeometry): 'dilated-conv' | 'im2col' {
  return g.kH * g.kW === 1 ? 'im2col' : 'dilated-conv';
}

/**
 * im2col on the channel-major padded input xp [ci, n, h, w]: one strided slice per tap
 * ([ci, n, oh, ow] each), concatenated tap-major so row (kh·kW+kw)·ci+c matches the filter layout,
 * then dW = patchesᵀ [kh·kw·ci, P] · dy [P, co].
 */
function im2colFilterGrad(xp: Tensor4D, dy: Tensor4D, g: ConvGeometry): Tensor4D {
  const taps: Tensor4D[] = [];
  for (let kh = 0; kh < g.kH; kh++) {
    for (let kw = 0; kw < g.kW; kw++) {
      const whole = g.sH === 1 && g.sW === 1 && xp.shape[2] === g.outH && xp.shape[3] === g.outW;
      taps.push(whole ? xp : stridedSlice(xp, [0, 0, kh, kw],
        [g.inC, g.batch, kh + (g.outH - 1) * g.sH + 1, kw + (g.outW - 1) * g.sW + 1], [1, 1, g.sH, g.sW]) as Tensor4D);
    }
  }
  const rows = g.batch * g.outH * g.outW;
  const patchesT = reshape(taps.length === 1 ? taps[0] : concat(taps, 0), [g.kH * g.kW * g.inC, rows]) as Tensor2D;
  const ds = reshape(dy, [rows, g.outC]) as Tensor2D;
  return reshape(matMul(patchesT, ds), [g.kH, g.kW, g.inC, g.outC]);
}

const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo =>
  tidy(() => {
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    const x = wrapInput<Tensor4D>(backend, inputs.x as TensorInfo);
    const dy = wrapInput<Tensor4D>(backend, inputs.dy as TensorInfo);
    return conv2dBackpropFilterImpl(x, dy, a.filterShape, a);
  });

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};
