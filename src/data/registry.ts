// The dataset registry: each proxy dataset by name, with the options it reads and its loader. The options
// every dataset shares (imageSize, trainImages, heldoutImages, seed) are checked by loadDataset with
// checkDatasetOptions; each entry's schema types the keys that are its own. Errors are DatasetErrors
// ('BAD_OPTION'), as from every other part of the data module.
import { z } from 'zod';

import type { OptionsError } from '../util/options.js';
import { Registry, UnknownNameError } from '../util/registry.js';
import { DatasetError } from './errors.js';
import { resolveLayout } from './options.js';
import { createShapesDataset } from './shapes.js';
import type { DatasetOptions, ProxyDataset } from './types.js';

function datasetError(err: OptionsError): DatasetError {
  if (err instanceof UnknownNameError) {
    return new DatasetError(
      'BAD_OPTION',
      `unknown dataset "${err.unknownName}" (expected one of ${err.known.join(', ')})`,
    );
  }
  return new DatasetError('BAD_OPTION', err.issues.map((i) => `dataset option ${i.path}: ${i.message}`).join('; '));
}

// Loose objects: a caller's options may carry keys meant for other datasets (a proxy task's dataDir with
// `shapes`), which a dataset ignores as before.
const shared = {
  dataset: z.string(),
  imageSize: z.number(),
  trainImages: z.number(),
  heldoutImages: z.number(),
  testImages: z.number().optional(),
  seed: z.number(),
};
/** shapes / fashion-mnist-scenes: object count, size range and overlap; resolveLayout names each bad key. */
const layout = z.record(z.string(), z.unknown()).optional();

/** Options the schema accepted, with the shared keys checkDatasetOptions checked. */
const asDatasetOptions = (o: object): DatasetOptions => o as DatasetOptions;

export const datasets = new Registry<Promise<ProxyDataset>>({
  what: 'dataset',
  nameKey: 'dataset',
  optionsWhere: (name) => `${name} dataset`,
  mapError: datasetError,
})
  .register('shapes', {
    description: 'coloured geometric objects of six classes on noisy textured backgrounds, procedural; needs no files',
    optionsSchema: z.looseObject({ ...shared, layout }),
    create: async (o) =>
      createShapesDataset({ ...asDatasetOptions(o), layout: resolveLayout(asDatasetOptions(o).layout) }),
  })
  .register('fashion-mnist-scenes', {
    description:
      'Fashion-MNIST glyphs pasted at many scales on textured backgrounds; IDX files in dataDir (default /usr/share/datasets/fashion-mnist)',
    optionsSchema: z.looseObject({ ...shared, dataDir: z.string().optional(), layout }),
    create: async (o) => {
      const { loadFashionMnistScenes } = await import('./fashion-mnist-scenes.js');
      return loadFashionMnistScenes(asDatasetOptions(o));
    },
  })
  .register('coco', {
    description: 'any COCO-format folder in dataDir, its images letterboxed to imageSize and kept in memory',
    optionsSchema: z.looseObject({
      ...shared,
      dataDir: z.string().optional(),
      splitFile: z.string().optional(),
      cacheBytes: z.number().optional(),
    }),
    create: async (o) => {
      // Imported lazily: sharp is a native module that `shapes` users never need.
      const { loadCocoDataset } = await import('./coco.js');
      return loadCocoDataset(asDatasetOptions(o));
    },
  });
