// Convolution geometry for the backprop kernels: the padding the forward convolution used, and the
// checks for what these kernels support (NHWC, dilation 1).
import { backend_util, pad as tfPad, slice, type Tensor4D } from '@tensorflow/tfjs-core';

export type PadAttr = 'same' | 'valid' | number | backend_util.ExplicitPadding;

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  /** Zero rows/columns the forward conv added before the input (top/left). */
  padTop: number;
  padLeft: number;
}

function pair(v: number | [number, number] | undefined, what: string, kernel: string): [number, number] {
  if (v == null) return [1, 1];
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`${kernel}: ${what} must be positive integers, got ${JSON.stringify(v)}`);
  }
  return p;
}

/**
 * Geometry of the forward convolution whose gradient a kernel computes.
 * `filterShape` is [kH, kW, inC, outC] (conv) or [kH, kW, inC, multiplier] (depthwise).
 */
export function convGeometry(
  kernel: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: {
    strides: number | [number, number];
    pad: PadAttr;
    dataFormat?: string;
    dilations?: number | [number, number];
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  },
  depthwise: boolean,
): ConvGeometry {
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC' && attrs.dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} (wasm, pyramid-nas): only NHWC is supported, got dataFormat '${attrs.dataFormat}'`);
  }
  const dil = pair(attrs.dilations, 'dilations', kernel);
  if (dil[0] !== 1 || dil[1] !== 1) {
    throw new Error(`${kernel} (wasm, pyramid-nas): dilation ${dil.join('x')} is not supported, only 1`);
  }
  const strides = pair(attrs.strides, 'strides', kernel);
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernel}: input and filter must be rank 4, got [${inShape}] and [${filterShape}]`);
  }
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes (default 1, 2: NHWC).
 * The backprop formulas need an exact spatial extent; whether that means adding zeros or dropping
 * rows the forward conv never read depends on the padding mode and the stride.
 */
export function padOrCrop(
  x: Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
  axes: [number, number] = [1, 2],
): Tensor4D {
  const [ah, aw] = axes;
  let y = x;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    const p: Array<[number, number]> = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    p[ah] = [Math.max(0, top), Math.max(0, bottom)];
    p[aw] = [Math.max(0, left), Math.max(0, right)];
    y = tfPad(y, p);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const begin = [0, 0, 0, 0],
      size = [...y.shape];
    const t = Math.max(0, -top),
      l = Math.max(0, -left);
    begin[ah] = t;
    size[ah] -= t + Math.max(0, -bottom);
    begin[aw] = l;
    size[aw] -= l + Math.max(0, -right);
    y = slice(y, begin, size);
  }
  return y;
}

/** dy must have the forward conv's output shape; a mismatch would silently misalign the gradient. */
export function checkDy(kernel: string, dyShape: readonly number[], g: ConvGeometry, outC: number): void {
  const want = [g.batch, g.outH, g.outW, outC];
  if (dyShape.length !== 4 || want.some((d, i) => dyShape[i] !== d)) {
    throw new Error(`${kernel}: dy has shape [${dyShape}] but the forward convolution's output is [${want}]`);
  }
}
