// Validation of DatasetOptions shared by every loader: bad numbers fail early with the option's name.
import { statSync } from 'node:fs';

import { DatasetError } from './errors.js';
import { DEFAULT_LAYOUT, type LayoutOptions } from './layout.js';
import type { DatasetOptions } from './types.js';

/** The built-in datasets (the registry in registry.ts may hold more). */
export const DATASET_NAMES = ['shapes', 'fashion-mnist-scenes', 'coco'] as const;

/** The options every dataset shares; the name is the registry's to check (loadDataset). */
export function checkDatasetOptions(o: DatasetOptions): void {
  const ints: Array<[keyof DatasetOptions, number, number]> = [
    ['imageSize', 8, 4096],
    ['trainImages', 0, 1e9],
    ['heldoutImages', 0, 1e9],
    ['testImages', 0, 1e9],
  ];
  for (const [key, lo, hi] of ints) {
    const v = o[key];
    if (key === 'testImages' && v === undefined) continue; // optional: no test split
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new DatasetError(
        'BAD_OPTION',
        `dataset option ${key} must be an integer in [${lo}, ${hi}], got ${String(v)}`,
      );
    }
  }
  if (typeof o.seed !== 'number' || !Number.isFinite(o.seed) || !Number.isInteger(o.seed)) {
    throw new DatasetError('BAD_OPTION', `dataset option seed must be an integer, got ${String(o.seed)}`);
  }
}

/** DEFAULT_LAYOUT with the given overrides, checked (each bad key is named). */
export function resolveLayout(partial: Partial<LayoutOptions> | undefined): LayoutOptions {
  const l: LayoutOptions = { ...DEFAULT_LAYOUT, ...partial };
  const bad = (key: string, what: string): never => {
    throw new DatasetError('BAD_OPTION', `dataset option layout.${key} ${what}`);
  };
  for (const key of Object.keys(partial ?? {}))
    if (!(key in DEFAULT_LAYOUT)) bad(key, `is unknown (expected ${Object.keys(DEFAULT_LAYOUT).join(', ')})`);
  if (!Number.isInteger(l.minObjects) || l.minObjects < 0)
    bad('minObjects', `must be an integer ≥ 0, got ${l.minObjects}`);
  if (!Number.isInteger(l.maxObjects) || l.maxObjects < Math.max(1, l.minObjects) || l.maxObjects > 100)
    bad('maxObjects', `must be an integer in [max(1, minObjects), 100], got ${l.maxObjects}`);
  if (!(l.minSize >= 1)) bad('minSize', `must be ≥ 1 px, got ${l.minSize}`);
  if (!(l.maxSizeFraction > 0 && l.maxSizeFraction <= 1.5))
    bad('maxSizeFraction', `must be in (0, 1.5], got ${l.maxSizeFraction}`);
  if (!(l.maxOverlap >= 0 && l.maxOverlap <= 1)) bad('maxOverlap', `must be in [0, 1], got ${l.maxOverlap}`);
  return l;
}

/**
 * A dataset folder that exists must be a folder: a file or a device given as `dataDir` would otherwise surface as a
 * system error (ENOTDIR) deep in a loader, which a queue takes for a transient fault and retries.
 */
export function requireDataDir(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return; // a missing folder: each loader says which folder it expected and what it should hold
  }
  if (!st.isDirectory()) throw new DatasetError('BAD_OPTION', `dataDir ${dir} is not a folder`, { file: dir });
}
