// The data module's public surface: `loadDataset(options)`, the dataset registry, and the pieces tools and
// tests reuse.
import { checkDatasetOptions } from './options.js';
import { datasets } from './registry.js';
import type { DatasetOptions, ProxyDataset } from './types.js';

export type * from './types.js';
export { DatasetError, type DatasetErrorCode } from './errors.js';
export { SHAPE_CLASSES, createShapesDataset, renderShapes, type ShapeClass } from './shapes.js';
export { DATASET_NAMES, resolveLayout } from './options.js';
export { DEFAULT_LAYOUT, type LayoutOptions } from './layout.js';
export { datasets } from './registry.js';

/**
 * Open a proxy dataset by its registered name. `shapes` is synchronous underneath; `fashion-mnist-scenes`
 * reads its IDX files and `coco` decodes and letterboxes its images here (so that `split(name).get(i)`
 * stays synchronous and cheap).
 */
export async function loadDataset(options: DatasetOptions): Promise<ProxyDataset> {
  datasets.get(options.dataset); // an unknown name first, listing the known ones
  checkDatasetOptions(options);
  return datasets.create(options.dataset, options);
}
