// DepthwiseConv2dNativeBackpropInput / …Filter for wasm (wasm has neither), from forward ops.
// Filter shape [kH, kW, C, m] (m = channel multiplier); output channel c·m+q reads input channel c.
//   input:  dx = Σ_q depthwiseConv2d(pad(zeroInsert(dy)), reverse(W)) — one depthwise conv with a
//           [kH, kW, C·m, 1] flipped filter over the zero-inserted dy, then a sum over q when m > 1.
//   filter: dW[kh,kw,c,q] = Σ_{n,oh,ow} xpad[n, oh·s+kh, ow·s+kw, c] · dy[n,oh,ow,c·m+q] — per tap a
//           strided slice of the padded input times dy, summed (kH·kW cheap elementwise passes; a
//           depthwise conv cannot contract over the batch, and a dense conv would waste a factor C).
import {
  depthwiseConv2d,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  mul,
  reshape,
  reverse,
  stack,
  stridedSlice,
  sum,
  type Tensor,
  type Tensor4D,
  type TensorInfo,
  tidy,
  transpose,
} from '@tensorflow/tfjs-core';

import { checkDy, convGeometry, padOrCrop } from './geometry.js';
import { kernelRoutes } from './routes.js';
import { wrapInput } from './wrap.js';
import { zeroInsert } from './zero-insert.js';

export function depthwiseBackpropInputImpl(
  dy: Tensor4D,
  filter: Tensor4D,
  inputShape: readonly number[],
  attrs: DepthwiseConv2dNativeBackpropInputAttrs,
): Tensor4D {
  const g = convGeometry('DepthwiseConv2dNativeBackpropInput', inputShape, filter.shape, attrs, true);
  checkDy('DepthwiseConv2dNativeBackpropInput', dy.shape, g, g.outC);
  const [kH, kW, c, m] = filter.shape;
  const top = g.kH - 1 - g.padTop,
    left = g.kW - 1 - g.padLeft;
  const bottom = g.inH + g.kH - 1 - top - g.outH * g.sH;
  const right = g.inW + g.kW - 1 - left - g.outW * g.sW;
  const z = padOrCrop(zeroInsert(dy, g.sH, g.sW), top, bottom, left, right);
  const wf = reshape(reverse(filter, [0, 1]), [kH, kW, c * m, 1]) as Tensor4D;
  const r = depthwiseConv2d(z, wf, 1, 'valid'); // [n, inH, inW, c·m]
  if (m === 1) return r;
  return sum(reshape(r, [g.batch, g.inH, g.inW, c, m]), 4) as Tensor4D;
}

export function depthwiseBackpropFilterImpl(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: readonly number[],
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs,
): Tensor4D {
  const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, filterShape, attrs, true);
  checkDy('DepthwiseConv2dNativeBackpropFilter', dy.shape, g, g.outC);
  const [kH, kW, c, m] = filterShape;
  const bottom = g.kH + (g.outH - 1) * g.sH - g.inH - g.padTop;
  const right = g.kW + (g.outW - 1) * g.sW - g.inW - g.padLeft;
  const xp = padOrCrop(x, g.padTop, bottom, g.padLeft, right);
  if (kernelRoutes.depthwiseFilter !== 'taps') {
    // One depthwise conv over the batch folded into channels: input [1, h, w, n·c], filter dy as
    // [oh, ow, n·c, m], dilated by the stride → [1, kh, kw, n·c·m], then summed over n.
    const xr = reshape(transpose(xp, [1, 2, 0, 3]), [1, xp.shape[1], xp.shape[2], g.batch * c]) as Tensor4D;
    const dyr =
      m === 1 ? transpose(dy, [1, 2, 0, 3]) : transpose(reshape(dy, [g.batch, g.outH, g.outW, c, m]), [1, 2, 0, 3, 4]);
    const f = reshape(dyr, [g.outH, g.outW, g.batch * c, m]) as Tensor4D;
    const out = depthwiseConv2d(xr, f, 1, 'valid', 'NHWC', [g.sH, g.sW]);
    return sum(reshape(out, [kH, kW, g.batch, c, m]), 2) as Tensor4D;
  }
  const dyq: Tensor = m === 1 ? dy : reshape(dy, [g.batch, g.outH, g.outW, c, m]);
  const taps: Tensor[] = [];
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const xs = stridedSlice(
        xp,
        [0, kh, kw, 0],
        [g.batch, kh + (g.outH - 1) * g.sH + 1, kw + (g.outW - 1) * g.sW + 1, c],
        [1, g.sH, g.sW, 1],
      );
      const xq = m === 1 ? xs : reshape(xs, [g.batch, g.outH, g.outW, c, 1]);
      taps.push(sum(mul(xq, dyq), [0, 1, 2])); // [c] or [c, m]
    }
  }
  return reshape(stack(taps), [kH, kW, c, m]) as Tensor4D;
}

const inputKernel = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo =>
  tidy(() => {
    const a = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    const dy = wrapInput<Tensor4D>(backend, inputs.dy as TensorInfo);
    const filter = wrapInput<Tensor4D>(backend, inputs.filter as TensorInfo);
    return depthwiseBackpropInputImpl(dy, filter, a.inputShape, a);
  });

const filterKernel = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo =>
  tidy(() => {
    const a = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const x = wrapInput<Tensor4D>(backend, inputs.x as TensorInfo);
    const dy = wrapInput<Tensor4D>(backend, inputs.dy as TensorInfo);
    return depthwiseBackpropFilterImpl(x, dy, a.filterShape, a);
  });

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: inputKernel as unknown as KernelFunc,
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: filterKernel as unknown as KernelFunc,
};
