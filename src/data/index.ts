// The data module's public surface: `loadDataset(options)` and the pieces tools and tests reuse.
import { DatasetError } from './errors.js';
import { checkDatasetOptions, resolveLayout } from './options.js';
import { createShapesDataset } from './shapes.js';
import type { DatasetOptions, ProxyDataset } from './types.js';

export type * from './types.js';
export { DatasetError, type DatasetErrorCode } from './errors.js';
export { SHAPE_CLASSES, createShapesDataset, renderShapes, type ShapeClass } from './shapes.js';
export { DATASET_NAMES, resolveLayout } from './options.js';
export { DEFAULT_LAYOUT, type LayoutOptions } from './layout.js';

/**
 * Open a proxy dataset. `shapes` is synchronous underneath; `fashion-mnist-scenes` reads its IDX files and
 * `coco` decodes and letterboxes its images here (so that `split(name).get(i)` stays synchronous and cheap).
 */
export async function loadDataset(options: DatasetOptions): Promise<ProxyDataset> {
  checkDatasetOptions(options);
  switch (options.dataset) {
    case 'shapes':
      return createShapesDataset({ ...options, layout: resolveLayout(options.layout) });
    case 'fashion-mnist-scenes': {
      const { loadFashionMnistScenes } = await import('./fashion-mnist-scenes.js');
      return loadFashionMnistScenes(options);
    }
    case 'coco': {
      // Imported lazily: sharp is a native module that `shapes` users never need.
      const { loadCocoDataset } = await import('./coco.js');
      return loadCocoDataset(options);
    }
    default:
      throw new DatasetError('bad-option', `unknown dataset "${String(options.dataset)}"`);
  }
}
