// Object statistics of a split: how many objects, and how they fall into COCO's area ranges
// (small < 32², medium < 96², large) — the numbers that say whether a dataset needs a pyramid.
import type { DatasetSplit, ProxyDataset } from './types.js';

export interface SplitStats {
  images: number;
  objects: number;
  objectsPerImage: number;
  fractions: { small: number; medium: number; large: number };
  /** Objects per category name. */
  perCategory: Record<string, number>;
  /** Smallest and largest box side (max of w, h) seen. */
  minSide: number;
  maxSide: number;
}

export function splitStats(dataset: ProxyDataset, split: DatasetSplit, count = split.count): SplitStats {
  let objects = 0,
    small = 0,
    medium = 0,
    large = 0;
  let minSide = Infinity,
    maxSide = 0;
  const perCategory: Record<string, number> = Object.fromEntries(dataset.categories.map((c) => [c.name, 0]));
  const n = Math.min(count, split.count);
  for (let i = 0; i < n; i++) {
    for (const b of split.get(i).boxes) {
      objects++;
      if (b.area < 32 * 32) small++;
      else if (b.area < 96 * 96) medium++;
      else large++;
      const side = Math.max(b.bbox[2], b.bbox[3]);
      minSide = Math.min(minSide, side);
      maxSide = Math.max(maxSide, side);
      perCategory[dataset.categories[b.category].name]++;
    }
  }
  const f = (k: number) => (objects ? k / objects : 0);
  return {
    images: n,
    objects,
    objectsPerImage: n ? objects / n : 0,
    fractions: { small: f(small), medium: f(medium), large: f(large) },
    perCategory,
    minSide: objects ? minSide : 0,
    maxSide,
  };
}
