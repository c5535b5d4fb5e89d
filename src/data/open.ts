// Opening the dataset a proxy task names (docs/datasets.md). The trainer and its tools call this, so every
// consumer sees exactly the samples a trial trains and is scored on.
import { loadDataset } from './index.js';
import { DEFAULT_LAYOUT } from './layout.js';
import { checkDatasetOptions } from './options.js';
import { createShapesDataset } from './shapes.js';
import type { DatasetOptions, ProxyDataset } from './types.js';

/** The keys of a proxy task that choose its data (a resolved proxy task has them all). */
export interface DatasetRequest extends Pick<
  DatasetOptions,
  'dataset' | 'dataDir' | 'imageSize' | 'trainImages' | 'heldoutImages' | 'seed'
> {
  /** `shapes` only: smallest object side in pixels (dataset difficulty). */
  minObjectSize: number;
  /** `shapes` only: the most objects per image (dataset difficulty). */
  maxObjects: number;
  /** Size of the test split: only `evaluate` asks for one (a proxy task has no such key). */
  testImages?: number;
}

/** The task's dataset; `shapes` takes the task's object-size/count overrides (dataset difficulty). */
export async function openDataset(task: DatasetRequest): Promise<ProxyDataset> {
  // Only the data keys go on: a task's other keys are not dataset options.
  const options = {
    dataset: task.dataset,
    dataDir: task.dataDir,
    imageSize: task.imageSize,
    trainImages: task.trainImages,
    heldoutImages: task.heldoutImages,
    testImages: task.testImages ?? 0,
    seed: task.seed,
  };
  if (task.dataset === 'shapes') {
    checkDatasetOptions(options);
    const layout = {
      ...DEFAULT_LAYOUT,
      minSize: task.minObjectSize,
      maxObjects: Math.max(task.maxObjects, DEFAULT_LAYOUT.minObjects),
    };
    return createShapesDataset({ ...options, layout });
  }
  return loadDataset(options);
}
