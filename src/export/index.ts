// Public surface of the export module: a pyramid graph as code for other frameworks (docs/export.md).
export { emitPytorchNeck, projectedLevels, unsupportedReason, type EmitOptions } from './pytorch/emit-neck.js';
export { mmdetRetinanetConfig } from './pytorch/config-fragment.js';
export {
  torchTensors,
  torchWeightsFile,
  tfEntriesOfCheckpoint,
  tfEntriesOfStore,
  WEIGHTS_FORMAT,
  type TfEntry,
  type TorchTensor,
  type TorchWeightsIndex,
} from './pytorch/weights.js';
export { pythonModuleName, writePytorchExport, type PytorchExportOptions } from './pytorch/write.js';
