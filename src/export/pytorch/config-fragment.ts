// A sample mmdetection 3.x config for RetinaNet R-50 with a generated neck, consistent with the graph's
// levels: the ResNet stages that give C<min>..C5 (out_indices), the neck's in_channels, the head's input
// channels, one anchor stride per output level (2^l) and pad_size_divisor 2^max, so every level's side of
// a padded image is an integer.
import { graphHash } from '../../graph/index.js';
import type { PyramidGraph } from '../../graph/types.js';
import { pyString } from './python-text.js';

/** ResNet-50 stage widths by level (mmdet's out_indices 0..3 are C2..C5). */
const RESNET50: Readonly<Record<number, number>> = { 2: 256, 3: 512, 4: 1024, 5: 2048 };

/** `moduleName`: the generated file's module name (its file name without .py) for custom_imports. */
export function mmdetRetinanetConfig(graph: PyramidGraph, moduleName: string, channels = 256): string {
  const { min, max } = graph.levels;
  const type = `PyramidNasNeck_${graphHash(graph).slice(0, 12)}`;
  const levels = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const strides = levels.map((l) => 2 ** l);
  const header = [
    `# mmdetection 3.x: RetinaNet R-50 with the pyramid-nas neck ${JSON.stringify(graph.name)} (${type}).`,
    `# Levels P${min}..P${max} (anchor strides ${strides.join(', ')}); images padded to a multiple of ${2 ** max}.`,
    `# Put ${moduleName}.py on PYTHONPATH; the neck registers itself in mmdet's MODELS when imported.`,
  ];
  if (min < 2 || min > 5) {
    const why = min < 2 ? 'finer than any ResNet stage (C2, stride 4)' : 'coarser than the last ResNet stage (C5)';
    return [
      ...header,
      `# No RetinaNet R-50 settings: the neck's first input is C${min} (stride ${2 ** min}), ${why}.`,
      '',
    ].join('\n');
  }
  // Backbone stages up to C5; the neck adds C6+ itself (max-pools of the last level it is given).
  const stages = levels.filter((l) => l <= 5);
  return [
    ...header,
    "_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'",
    '',
    `custom_imports = dict(imports=[${pyString(moduleName)}], allow_failed_imports=False)`,
    '',
    'model = dict(',
    `    data_preprocessor=dict(pad_size_divisor=${2 ** max}),`,
    `    backbone=dict(out_indices=(${stages.map((l) => l - 2).join(', ')}${stages.length === 1 ? ',' : ''})),`,
    '    neck=dict(',
    '        _delete_=True,',
    `        type=${pyString(type)},`,
    `        in_channels=[${stages.map((l) => RESNET50[l]).join(', ')}],`,
    `        out_channels=${channels},`,
    '        start_level=0,',
    `        num_outs=${levels.length},`,
    "        norm_cfg=dict(type='BN', requires_grad=True),",
    '    ),',
    '    bbox_head=dict(',
    `        in_channels=${channels},`,
    `        feat_channels=${channels},`,
    `        anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4, scales_per_octave=3,`,
    `                              ratios=[0.5, 1.0, 2.0], strides=[${strides.join(', ')}]),`,
    '    ),',
    ')',
    '',
  ].join('\n');
}
