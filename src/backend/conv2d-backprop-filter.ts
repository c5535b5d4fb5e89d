// Conv2DBackpropFilter for wasm (wasm has none), from forward ops:
//   dW[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, oh·s+kh, ow·s+kw, ci] · dy[n,oh,ow,co]
// is a convolution whose "batch" is ci, whose "channels" are n and whose filter is dy itself,
// dilated by the forward stride: conv2d(transpose(x,[3,1,2,0]), transpose(dy,[1,2,0,3]), dilation s)
// → [ci, kh, kw, co], transposed back. The 'im2col' route instead stacks one slice of
// transpose(x) per tap into patchesᵀ [kh·kw·ci, n·oh·ow] and does one plain matMul with dy (wasm's
// BatchMatMul is fast only without transpose flags, so operands are transposed explicitly); the
// 'patches-conv' route gets the same patches from a convolution with a one-hot filter.
import {
  concat,
  conv2d,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  matMul,
  reshape,
  slice,
  type Tensor2D,
  type Tensor4D,
  tensor4d,
  type TensorInfo,
  tidy,
  transpose,
} from '@tensorflow/tfjs-core';

import { checkDy, type ConvGeometry, convGeometry, padOrCrop } from './geometry.js';
import { type FilterRoute, kernelRoutes } from './routes.js';
import { wrapInput } from './wrap.js';

export function conv2dBackpropFilterImpl(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: readonly number[],
  attrs: Conv2DBackpropFilterAttrs,
): Tensor4D {
  const g = convGeometry('Conv2DBackpropFilter', x.shape, filterShape, attrs, false);
  checkDy('Conv2DBackpropFilter', dy.shape, g, g.outC);
  // Rows of the padded input the forward conv read: padTop zeros, then up to kH+(outH-1)·s in all.
  const bottom = g.kH + (g.outH - 1) * g.sH - g.inH - g.padTop;
  const right = g.kW + (g.outW - 1) * g.sW - g.inW - g.padLeft;
  const route = kernelRoutes.backpropFilter === 'auto' ? autoFilterRoute(g) : kernelRoutes.backpropFilter;
  if (route === 'im2col') return im2colFilterGrad(transpose(x, [3, 0, 1, 2]), dy, g);
  if (route === 'patches-conv') return patchesConvFilterGrad(x, dy, g, attrs);
  const xt = padOrCrop(transpose(x, [3, 1, 2, 0]), g.padTop, bottom, g.padLeft, right);
  const dyt = transpose(dy, [1, 2, 0, 3]);
  const out = conv2d(xt, dyt, 1, 'valid', 'NHWC', [g.sH, g.sW]); // [ci, kh, kw, co]
  return transpose(out, [1, 2, 0, 3]);
}

/** Measured-best route per shape (see README, section backend). */
function autoFilterRoute(g: ConvGeometry): Exclude<FilterRoute, 'auto'> {
  if (g.kH * g.kW === 1) return 'im2col';
  // Few input channels (the stem): extracting patches by convolution costs kh·kw·ci / co times the
  // forward conv, cheap here, and the rest is one fast GEMM with a large inner dimension.
  return g.kH * g.kW * g.inC <= 2 * g.outC ? 'patches-conv' : 'dilated-conv';
}

/**
 * Patches by convolution: conv2d with a one-hot filter [kh, kw, ci, kh·kw·ci] under the forward
 * conv's own strides and padding yields every receptive field as a row (XNNPACK handles the
 * stride and padding), then dW = patchesᵀ · dy as one plain matMul.
 */
function patchesConvFilterGrad(x: Tensor4D, dy: Tensor4D, g: ConvGeometry, attrs: Conv2DBackpropFilterAttrs): Tensor4D {
  const r = g.kH * g.kW * g.inC;
  const onehot = new Float32Array(r * r);
  for (let i = 0; i < r; i++) onehot[i * r + i] = 1; // filter index (kh, kw, ci) → output channel of the same rank
  const patches = conv2d(
    x,
    tensor4d(onehot, [g.kH, g.kW, g.inC, r]),
    attrs.strides,
    attrs.pad,
    'NHWC',
    1,
    attrs.dimRoundingMode,
  );
  const rows = g.batch * g.outH * g.outW;
  const patchesT = transpose(reshape(patches, [rows, r]) as Tensor2D);
  return reshape(matMul(patchesT, reshape(dy, [rows, g.outC]) as Tensor2D), [g.kH, g.kW, g.inC, g.outC]);
}

/**
 * im2col on the channel-major input [ci, n, h, w] (unpadded): one slice per tap ([ci, n, oh, ow]
 * each), concatenated tap-major so row (kh·kW+kw)·ci+c matches the filter layout, then
 * dW = patchesᵀ [kh·kw·ci, P] · dy [P, co]. Strided taps come from s² "phase" images
 * (rows ≡ p, columns ≡ q mod s) made by one 4-D transpose: wasm's StridedSlice and its rank-6
 * slices/transposes are 10–50× slower than 4-D slices and transposes.
 */
function im2colFilterGrad(xc: Tensor4D, dy: Tensor4D, g: ConvGeometry): Tensor4D {
  const { sH, sW } = g;
  // Extent in phase rows/cols: tap kh = a·sH + p reads phase rows a … a+outH-1.
  const hs = Math.floor((g.kH - 1) / sH) + g.outH,
    ws = Math.floor((g.kW - 1) / sW) + g.outW;
  const xp = padOrCrop(xc, g.padTop, hs * sH - g.inH - g.padTop, g.padLeft, ws * sW - g.inW - g.padLeft, [2, 3]);
  // All phases at once: [ci·n·hs, sH, ws, sW] → [sH, sW, ci·n·hs, ws] is one 4-D transpose, after
  // which each phase is a contiguous block. (Slicing [·, 1, ·, 1] out of the view directly copies
  // element by element and was ~50× slower.)
  const rowsAll = g.inC * g.batch * hs;
  const all = sH === 1 && sW === 1 ? null : transpose(reshape(xp, [rowsAll, sH, ws, sW]), [1, 3, 0, 2]);
  const phase = (p: number, q: number): Tensor4D =>
    all === null ? xp : (reshape(slice(all, [p, q, 0, 0], [1, 1, rowsAll, ws]), [g.inC, g.batch, hs, ws]) as Tensor4D);
  const taps: Tensor4D[] = [];
  for (let kh = 0; kh < g.kH; kh++) {
    for (let kw = 0; kw < g.kW; kw++) {
      const src = phase(kh % sH, kw % sW);
      const a = Math.floor(kh / sH),
        b = Math.floor(kw / sW);
      const whole = a === 0 && b === 0 && src.shape[2] === g.outH && src.shape[3] === g.outW;
      taps.push(whole ? src : slice(src, [0, 0, a, b], [g.inC, g.batch, g.outH, g.outW]));
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
