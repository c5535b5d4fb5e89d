// wasm's Identity copies its input into a new buffer. The engine runs Identity for every tensor a gradient
// saves (dozens per training step, many of them whole feature maps), and tensors are never written in place,
// so sharing the buffer (a reference count, as wasm's own Reshape does) is enough.
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

const identity: KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as TensorInfo;
  (backend as unknown as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

export const identityConfig: KernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: identity };
