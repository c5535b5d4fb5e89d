// Where the pre-trained proxy backbone lives and how it was made (see pretrain.ts).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Checkpoint } from '../detector/index.js';
import type { ProxyTaskInput } from '../trial/proxy-task.js';

export const BACKBONE_CHECKPOINT = fileURLToPath(new URL('./weights/backbone-shapes.json', import.meta.url));

/**
 * The pre-training task: `shapes` from seed 1000 (trials use their own seeds, 0 by default, so the held-out
 * images a trial is scored on are never seen by the backbone), 8192 train images, FPN neck.
 */
export const PRETRAIN_TASK: ProxyTaskInput = {
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

let cached: { path: string; ckpt: Checkpoint } | undefined;

/** The checkpoint, read once per process; undefined when the file is absent. */
export function loadBackboneCheckpoint(path = BACKBONE_CHECKPOINT): Checkpoint | undefined {
  if (cached?.path === path) return cached.ckpt;
  if (!existsSync(path)) return undefined;
  const ckpt = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  cached = { path, ckpt };
  return ckpt;
}
