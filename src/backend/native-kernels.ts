// Convolution kernels of the wasm backend computed by the oneDNN addon, in place on the wasm heap: the inputs
// are read where the backend stores them and the output is written into a tensor the backend just allocated.
// Anything the addon does not cover (dilation, NCHW, non-float32, empty tensors, a rounding mode that breaks
// floor arithmetic) goes to the kernel that was registered before (wasm's own forward, or the project's
// gradient kernels), so switching the addon on never narrows what works.
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  type DataId,
  type DataType,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  type TensorInfo,
  unregisterKernel,
} from '@tensorflow/tfjs-core';

import type { PadAttr } from './geometry.js';
import type { NativeAddon } from './native.js';

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmHeapBackend {
  dataIdMap: { get(id: DataId): { memoryOffset: number | null } | undefined };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

type Op = 0 | 1 | 2;
const FORWARD: Op = 0,
  BACKWARD_DATA: Op = 1,
  BACKWARD_WEIGHTS: Op = 2;

interface ConvAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: number[];
  filterShape?: number[];
}

interface Spec {
  kernelName: string;
  depthwise: boolean;
  op: Op;
  /** The two input names, in the addon's (a, b) order. */
  inputs: [string, string];
}

export const NATIVE_KERNEL_SPECS: readonly Spec[] = [
  { kernelName: Conv2D, depthwise: false, op: FORWARD, inputs: ['x', 'filter'] },
  { kernelName: Conv2DBackpropInput, depthwise: false, op: BACKWARD_DATA, inputs: ['dy', 'filter'] },
  { kernelName: Conv2DBackpropFilter, depthwise: false, op: BACKWARD_WEIGHTS, inputs: ['x', 'dy'] },
  { kernelName: DepthwiseConv2dNative, depthwise: true, op: FORWARD, inputs: ['x', 'filter'] },
  { kernelName: DepthwiseConv2dNativeBackpropInput, depthwise: true, op: BACKWARD_DATA, inputs: ['dy', 'filter'] },
  { kernelName: DepthwiseConv2dNativeBackpropFilter, depthwise: true, op: BACKWARD_WEIGHTS, inputs: ['x', 'dy'] },
];

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function isOne(v: number | [number, number] | undefined): boolean {
  return v == null || (typeof v === 'number' ? v === 1 : v[0] === 1 && v[1] === 1);
}

/**
 * The addon's shape array for one call, or null when the call is outside what it covers. Throws when an input's
 * shape contradicts the geometry: the addon sizes its reads from the geometry, so a mismatch must never reach it.
 */
export function nativeShape(
  spec: Spec,
  shapes: [readonly number[], readonly number[]],
  attrs: ConvAttrs,
): number[] | null {
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC' && attrs.dataFormat !== 'channelsLast') return null;
  if (!isOne(attrs.dilations)) return null;
  const [a, b] = shapes;
  const xShape = spec.op === BACKWARD_DATA ? attrs.inputShape : a;
  const wShape = spec.op === BACKWARD_WEIGHTS ? attrs.filterShape : b;
  if (!xShape || !wShape || xShape.length !== 4 || wShape.length !== 4) return null;
  if ([...xShape, ...wShape].some((d) => d < 1)) return null;
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    wShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    spec.depthwise,
    'channelsLast',
  );
  const { top, left, bottom, right } = info.padInfo;
  // oneDNN's output size is floor((in + pads − k) / s) + 1; a 'ceil'/'round' explicit pad may differ.
  if (
    Math.floor((info.inHeight + top + bottom - info.filterHeight) / info.strideHeight) + 1 !== info.outHeight ||
    Math.floor((info.inWidth + left + right - info.filterWidth) / info.strideWidth) + 1 !== info.outWidth ||
    info.outHeight < 1 ||
    info.outWidth < 1
  ) {
    return null;
  }
  const yShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  const [want0, want1] =
    spec.op === FORWARD ? [xShape, wShape] : spec.op === BACKWARD_DATA ? [yShape, wShape] : [xShape, yShape];
  if (!sameShape(a, want0) || !sameShape(b, want1)) {
    throw new Error(
      `${spec.kernelName} (native): inputs [${a}] and [${b}] do not match the convolution's [${want0}] and [${want1}]`,
    );
  }
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    top,
    left,
    bottom,
    right,
    spec.depthwise ? info.inChannels : 1,
  ];
}

function outputShape(spec: Spec, shape: number[]): number[] {
  const [n, ih, iw, ic, oh, ow, oc, kh, kw] = shape;
  if (spec.op === FORWARD) return [n, oh, ow, oc];
  if (spec.op === BACKWARD_DATA) return [n, ih, iw, ic];
  return spec.depthwise ? [kh, kw, ic, oc / ic] : [kh, kw, ic, oc];
}

function offsetOf(backend: WasmHeapBackend, info: TensorInfo): number {
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  if (offset == null) throw new Error('native kernel: a tensor has no data on the wasm heap');
  return offset;
}

const nativeConfigs = new WeakSet<KernelConfig>();

/** True for a kernel config this module made (what tests and logs use to tell native kernels apart). */
export function isNativeKernel(config: KernelConfig | undefined): boolean {
  return config !== undefined && nativeConfigs.has(config);
}

export function makeNativeKernelConfig(
  addon: NativeAddon,
  spec: Spec,
  fallback: KernelConfig | undefined,
): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const a = args.inputs[spec.inputs[0]] as TensorInfo;
    const b = args.inputs[spec.inputs[1]] as TensorInfo;
    const backend = args.backend as unknown as WasmHeapBackend;
    // A threaded wasm build's heap is a SharedArrayBuffer, which the addon does not take.
    const shape =
      a.dtype === 'float32' && b.dtype === 'float32' && backend.wasm.HEAPU8.buffer instanceof ArrayBuffer
        ? nativeShape(spec, [a.shape, b.shape], args.attrs as unknown as ConvAttrs)
        : null;
    if (!shape) {
      if (!fallback)
        throw new Error(`${spec.kernelName}: not supported by the native kernel and no other is registered`);
      return fallback.kernelFunc(args);
    }
    const out = backend.makeOutput(outputShape(spec, shape), 'float32');
    // makeOutput may have grown the wasm memory, which detaches the old ArrayBuffer: take it now.
    addon.conv(
      spec.op,
      backend.wasm.HEAPU8.buffer as ArrayBuffer,
      offsetOf(backend, a),
      offsetOf(backend, b),
      offsetOf(backend, out),
      shape,
    );
    return out;
  };
  const config: KernelConfig = {
    kernelName: spec.kernelName,
    backendName: 'wasm',
    // wasm's own kernels bind their wasm functions in setupFunc, which the engine only calls for registered
    // kernels: the fallback's must run through ours.
    setupFunc: fallback?.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
  nativeConfigs.add(config);
  return config;
}

/** The kernels ours replaced, per name, while they are registered. */
const previous = new Map<string, KernelConfig | null>();

/**
 * Registers the native kernels for wasm (on) or puts back the ones they replaced (off). Takes effect at the next
 * op: the engine looks kernels up per call. Returns the names of the native kernels now registered.
 */
export function switchNativeKernels(addon: NativeAddon, on: boolean): string[] {
  for (const spec of NATIVE_KERNEL_SPECS) {
    const active = previous.has(spec.kernelName);
    if (on === active) continue;
    const current = getKernel(spec.kernelName, 'wasm');
    if (current) unregisterKernel(spec.kernelName, 'wasm');
    if (on) {
      previous.set(spec.kernelName, current ?? null);
      registerKernel(makeNativeKernelConfig(addon, spec, current));
    } else {
      const before = previous.get(spec.kernelName);
      previous.delete(spec.kernelName);
      if (before) registerKernel(before);
    }
  }
  return [...previous.keys()];
}
