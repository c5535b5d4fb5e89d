// Writing one graph's PyTorch export: the neck module, the mmdetection RetinaNet R-50 config fragment next
// to it, and, when weights are given, the weights index and data the module's loader reads.
import { basename, dirname, join } from 'node:path';

import { writeFileAtomic } from '../../campaign/atomic.js';
import { refuseSystemPath } from '../../campaign/output-folder.js';
import type { PyramidGraph } from '../../graph/types.js';
import { mmdetRetinanetConfig } from './config-fragment.js';
import { emitPytorchNeck } from './emit-neck.js';
import { type TfEntry, torchWeightsFile } from './weights.js';

export interface PytorchExportOptions {
  /** The TensorFlow.js neck's tensors to convert (a neck checkpoint); none: PyTorch's own initialisation. */
  weights?: readonly TfEntry[];
  /** The command that made it, for the docstring. */
  generatedBy?: string;
}

/** A Python module name for a file name: anything else than [A-Za-z0-9_] becomes _, never a leading digit. */
export function pythonModuleName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `neck_${s}` : s || 'neck';
}

/** Writes `file` (a .py path) and its companions; returns every path written, the module first. */
export function writePytorchExport(graph: PyramidGraph, file: string, options: PytorchExportOptions = {}): string[] {
  refuseSystemPath(file);
  const stem = basename(file).replace(/\.py$/, '');
  const at = (suffix: string) => join(dirname(file), `${stem}${suffix}`);
  const written = [file];
  writeFileAtomic(file, emitPytorchNeck(graph, { generatedBy: options.generatedBy }));
  const config = at('.retinanet_r50.mmdet.py');
  writeFileAtomic(config, mmdetRetinanetConfig(graph, stem));
  written.push(config);
  if (options.weights) {
    const { index, data } = torchWeightsFile(graph, options.weights, `${stem}.weights.bin`);
    writeFileAtomic(at('.weights.bin'), data);
    writeFileAtomic(at('.weights.json'), JSON.stringify(index, null, 1) + '\n');
    written.push(at('.weights.json'), at('.weights.bin'));
  }
  return written;
}
