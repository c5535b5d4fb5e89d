// Conv2DBackpropInput for wasm, from forward ops. wasm's own kernel is a naive loop (~2 GFLOP/s);
// this one runs the gradient through wasm's XNNPACK forward convolution instead:
//   dx = conv2d(pad(zeroInsert(dy, stride)), transpose(reverse(W, [0,1]), [0,1,3,2])), stride 1.
// 1×1 filters project first and spread after: dx = zeroInsert(conv1×1(dy, Wᵀ)) shifted by the
// padding, so no multiply-adds are spent on inserted zeros. (A 1×1 conv, not matMul: wasm's
// BatchMatMul is ~10× slower than XNNPACK's convolution when it has to transpose an operand.)
import {
  conv2d,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  reshape,
  type Tensor4D,
  type TensorInfo,
  tidy,
  transpose,
} from '@tensorflow/tfjs-core';

import { flipTransposeFilter, phaseFilter } from './flip-filter.js';
import { checkDy, type ConvGeometry, convGeometry, padOrCrop } from './geometry.js';
import { kernelRoutes } from './routes.js';
import { wrapInput } from './wrap.js';
import { zeroInsert } from './zero-insert.js';

export function conv2dBackpropInputImpl(
  dy: Tensor4D,
  filter: Tensor4D,
  inputShape: readonly number[],
  attrs: Conv2DBackpropInputAttrs,
): Tensor4D {
  const g = convGeometry('Conv2DBackpropInput', inputShape, filter.shape, attrs, false);
  checkDy('Conv2DBackpropInput', dy.shape, g, g.outC);
  // Where the zero-inserted dy must start/end so a stride-1 correlation yields exactly inH rows:
  // top = kH-1-padTop, total length inH+kH-1 (negative amounts crop).
  const top = g.kH - 1 - g.padTop,
    left = g.kW - 1 - g.padLeft;
  const bottom = g.inH + g.kH - 1 - top - g.outH * g.sH;
  const right = g.inW + g.kW - 1 - left - g.outW * g.sW;
  if (g.kH === 1 && g.kW === 1) {
    const r = conv2d(dy, transpose(filter, [0, 1, 3, 2]), 1, 'valid');
    return padOrCrop(zeroInsert(r, g.sH, g.sW), top, bottom, left, right);
  }
  const strided = g.sH > 1 || g.sW > 1;
  const route =
    kernelRoutes.backpropInput === 'auto'
      ? strided && g.sH === g.sW
        ? 'phase'
        : 'zero-insert'
      : kernelRoutes.backpropInput;
  if (route === 'phase' && strided) {
    if (g.sH !== g.sW)
      throw new Error(`Conv2DBackpropInput: the 'phase' route needs equal strides, got ${g.sH}x${g.sW}`);
    return phaseInputGrad(dy, filter, g);
  }
  const z = padOrCrop(zeroInsert(dy, g.sH, g.sW), top, bottom, left, right);
  return conv2d(z, flipTransposeFilter(filter), 1, 'valid');
}

/**
 * Strided input gradient in sub-pixel form: u = ih + padTop = Q·s + p receives
 * Σ_j dy[Q−j]·W[p+s·j], a stride-1 correlation of dy (padded by J−1 on top) with the phase filter,
 * whose s² channel groups are interleaved back (depth-to-space); then crop padTop rows to get dx.
 */
function phaseInputGrad(dy: Tensor4D, filter: Tensor4D, g: ConvGeometry): Tensor4D {
  const s = g.sH;
  const jH = Math.ceil(g.kH / s),
    jW = Math.ceil(g.kW / s);
  const qH = Math.ceil((g.inH + g.padTop) / s),
    qW = Math.ceil((g.inW + g.padLeft) / s);
  const dyp = padOrCrop(dy, jH - 1, qH - g.outH, jW - 1, qW - g.outW);
  const phases = conv2d(dyp, phaseFilter(filter, s, s), 1, 'valid'); // [n, qH, qW, (p, q, ci)]
  // depthToSpace(s) as one 4-D transpose ([n·qH, qW, p, (q,ci)] → [n·qH, p, qW, (q,ci)]): wasm's
  // DepthToSpace kernel was slower than the convolution itself.
  const grid = reshape(transpose(reshape(phases, [g.batch * qH, qW, s, s * g.inC]), [0, 2, 1, 3]), [
    g.batch,
    qH * s,
    qW * s,
    g.inC,
  ]) as Tensor4D;
  return padOrCrop(grid, -g.padTop, g.inH - (qH * s - g.padTop), -g.padLeft, g.inW - (qW * s - g.padLeft));
}

const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo =>
  tidy(() => {
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    const dy = wrapInput<Tensor4D>(backend, inputs.dy as TensorInfo);
    const filter = wrapInput<Tensor4D>(backend, inputs.filter as TensorInfo);
    return conv2dBackpropInputImpl(dy, filter, a.inputShape, a);
  });

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};
