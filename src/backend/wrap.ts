// Helpers shared by the custom kernels: viewing a kernel's TensorInfo inputs as engine tensors so the
// kernels can be written with ordinary tfjs ops.
//
// Why incRef: a kernel receives bare TensorInfo ({dataId, shape, dtype}) owned by someone else.
// `engine().makeTensorFromDataId` creates a second Tensor on the same data without touching the
// backend's reference count, so disposing that wrapper (which `tidy` does) would free the caller's
// data. Taking one extra reference first makes the wrapper's dispose give exactly that reference back.
import { engine, type KernelBackend, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';

export function wrapInput<T extends Tensor = Tensor>(backend: unknown, info: TensorInfo): T {
  // KernelFunc types its backend as `{}`; every backend that runs our kernels is a KernelBackend.
  const b = backend as KernelBackend;
  b.incRef(info.dataId);
  return engine().makeTensorFromDataId(info.dataId, info.shape, info.dtype, b) as T;
}
