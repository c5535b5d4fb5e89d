// UnsortedSegmentSum for wasm (the gradient of gather): out[k, …] = Σ_{i: ids[i] = k} x[i, …].
// A scatter-add is a single pass in plain JavaScript; expressing it with forward ops (a one-hot
// matMul) would cost rows × numSegments memory, which for gathers over anchors is prohibitive.
// Ids outside [0, numSegments) are dropped, as TensorFlow and tfjs's cpu backend do.
import {
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  tensor,
  type TensorInfo,
  tidy,
  UnsortedSegmentSum,
  type UnsortedSegmentSumAttrs,
  util,
} from '@tensorflow/tfjs-core';

export function segmentSumValues(
  x: ArrayLike<number>,
  xShape: readonly number[],
  ids: ArrayLike<number>,
  idsShape: readonly number[],
  numSegments: number,
): Float32Array {
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}`);
  }
  // segmentIds may cover several leading axes of x; everything after them is the summed row.
  const lead = util.sizeFromShape(idsShape as number[]);
  for (let a = 0; a < idsShape.length; a++) {
    if (xShape[a] !== idsShape[a]) {
      throw new Error(`UnsortedSegmentSum: segmentIds shape [${idsShape}] must prefix x shape [${xShape}]`);
    }
  }
  const row = util.sizeFromShape(xShape.slice(idsShape.length) as number[]);
  const out = new Float32Array(numSegments * row);
  for (let i = 0; i < lead; i++) {
    const k = ids[i];
    if (k < 0 || k >= numSegments) continue;
    const src = i * row,
      dst = k * row;
    for (let j = 0; j < row; j++) out[dst + j] += x[src + j];
  }
  return out;
}

const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
  const b = backend as KernelBackend;
  const x = inputs.x as TensorInfo,
    ids = inputs.segmentIds as TensorInfo;
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const values = segmentSumValues(
    b.readSync(x.dataId) as ArrayLike<number>,
    x.shape,
    b.readSync(ids.dataId) as ArrayLike<number>,
    ids.shape,
    numSegments,
  );
  const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
  return tidy(() => tensor(x.dtype === 'int32' ? Int32Array.from(values) : values, outShape, x.dtype));
};

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};
