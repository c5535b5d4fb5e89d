// The pre-trained proxy backbones: each variant names its architecture (residual blocks per stage), its
// checkpoint file and how that file was made (pretrain.ts). A proxy task picks one with `backboneWeights`.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Checkpoint } from '../detector/index.js';
import { DEFAULT_PROXY_TASK, type ProxyTaskConfig, type ProxyTaskInput } from '../trial/proxy-task.js';

export interface BackboneVariant {
  /** The checkpoint file (src/train/weights/). */
  file: string;
  /** Residual blocks per stage C<l> (1 where absent). */
  blocks: Readonly<Record<number, number>>;
  /**
   * The neck trained with the backbone during pre-training: a zoo graph, or `single-level-c<l>` (the head
   * reads C<l> alone, so only C<l> is supervised directly and the finer levels learn what C<l> needs).
   */
  pretrainNeck: string;
  /** The pre-training task (its seed is never a trial's: no trial image was seen in pre-training). */
  pretrainTask: ProxyTaskInput;
}

/** `shapes` at full difficulty from seed 1000 (trials use their own seeds, 0 by default), 8192 train images. */
const SHAPES_PRETRAIN: ProxyTaskInput = {
  dataset: 'shapes',
  imageSize: 64,
  seed: 1000,
  trainImages: 8192,
  heldoutImages: 256,
  steps: 2500,
  batchSize: 16,
  channels: 32,
  learningRate: 0.003,
  anchorSize: 2,
  anchorScales: 1,
  minObjectSize: 4,
  maxObjects: 8,
  backbone: 'scratch',
};

/** Residual blocks of the deep variants' stages C4 and C5 (one block elsewhere). */
const DEEP_STAGES = { 4: 3, 5: 4 } as const;

export const BACKBONE_VARIANTS = {
  /**
   * The default: deeper coarse stages (C4 3 blocks, C5 4), as in a ResNet, pre-trained as a detector with
   * an FPN neck. Against `shapes-fpn` it raised every detector's AP by 5–6 points at the same budget
   * (docs/proxy-task.md, "Does the task reward a pyramid?").
   */
  'shapes-deep': {
    file: fileURLToPath(new URL('./weights/backbone-shapes-deep.json', import.meta.url)),
    blocks: DEEP_STAGES,
    pretrainNeck: 'fpn',
    pretrainTask: SHAPES_PRETRAIN,
  },
  /** The original backbone: one block per stage, pre-trained with an FPN neck. */
  'shapes-fpn': {
    file: fileURLToPath(new URL('./weights/backbone-shapes.json', import.meta.url)),
    blocks: {},
    pretrainNeck: 'fpn',
    pretrainTask: SHAPES_PRETRAIN,
  },
  /**
   * `shapes-deep`'s architecture pre-trained with the head on C5 alone, as a classification-pre-trained ResNet
   * is: C3 only learns what C5 needs. Measured and not shipped (make it with `npm run pretrain:backbone`).
   */
  'shapes-deep-c5': {
    file: fileURLToPath(new URL('./weights/backbone-shapes-deep-c5.json', import.meta.url)),
    blocks: DEEP_STAGES,
    pretrainNeck: 'single-level-c5',
    pretrainTask: SHAPES_PRETRAIN,
  },
  /**
   * `shapes-deep` pre-trained on `fashion-mnist-scenes` (seed 1000: train-file glyphs; needs `--data`), for
   * garment scenes. Measured and not shipped.
   */
  'fashion-deep': {
    file: fileURLToPath(new URL('./weights/backbone-fashion-deep.json', import.meta.url)),
    blocks: DEEP_STAGES,
    pretrainNeck: 'fpn',
    pretrainTask: { ...SHAPES_PRETRAIN, dataset: 'fashion-mnist-scenes' },
  },
} as const satisfies Record<BackboneVariantName, BackboneVariant>;

export type BackboneVariantName = NonNullable<ProxyTaskConfig['backboneWeights']>;
/** The variant a task without `backboneWeights` uses. */
export const DEFAULT_BACKBONE_VARIANT: BackboneVariantName = DEFAULT_PROXY_TASK.backboneWeights;

export function backboneVariant(
  name: BackboneVariantName | undefined,
): BackboneVariant & { name: BackboneVariantName } {
  const n = name ?? DEFAULT_BACKBONE_VARIANT;
  return { name: n, ...BACKBONE_VARIANTS[n] };
}

/** The default variant's checkpoint file. */
export const BACKBONE_CHECKPOINT = BACKBONE_VARIANTS[DEFAULT_BACKBONE_VARIANT].file;
/** The default variant's pre-training task. */
export const PRETRAIN_TASK = BACKBONE_VARIANTS[DEFAULT_BACKBONE_VARIANT].pretrainTask;

const cached = new Map<string, Checkpoint>();

/** The checkpoint, read once per process; undefined when the file is absent. */
export function loadBackboneCheckpoint(path = BACKBONE_CHECKPOINT): Checkpoint | undefined {
  const hit = cached.get(path);
  if (hit) return hit;
  if (!existsSync(path)) return undefined;
  const ckpt = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  cached.set(path, ckpt);
  return ckpt;
}
