// A seeded, COCO-like evaluation set of any size for benchmarks: several categories, objects from a few
// pixels to most of the image (all three area ranges), ~1% crowd regions, detections that are jittered
// copies of the ground truth (some duplicated, some badly localised) plus false positives, and scores
// that only loosely follow quality. The same seed always gives the same set.
import seedrandom from 'seedrandom';

import type { CocoDetection, CocoGroundTruth } from '../eval/schema.js';

export interface SyntheticCocoOptions {
  images: number;
  detections: number;
  categories?: number;
  seed?: number;
}

export function syntheticCocoSet(o: SyntheticCocoOptions): { gt: CocoGroundTruth; dets: CocoDetection[] } {
  const rng = seedrandom(String(o.seed ?? 1));
  const K = o.categories ?? 20;
  const size = 640;
  const categories = Array.from({ length: K }, (_, k) => ({ id: 1 + k * 3, name: `class${k}` })); // non-contiguous ids
  const images = Array.from({ length: o.images }, (_, i) => ({ id: 1000 + i, width: size, height: size }));
  const annotations: CocoGroundTruth['annotations'] = [];
  const dets: CocoDetection[] = [];
  const perImage = o.detections / o.images;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  for (const im of images) {
    const nObj = 1 + Math.floor(rng() * perImage * 0.5);
    const objs: Array<{ cat: number; box: [number, number, number, number] }> = [];
    for (let j = 0; j < nObj; j++) {
      const side = Math.exp(Math.log(4) + rng() * (Math.log(400) - Math.log(4))); // log-uniform 4..400 px
      const w = Math.max(1, Math.round(side * (0.6 + 0.8 * rng())));
      const h = Math.max(1, Math.round(side * (0.6 + 0.8 * rng())));
      const box: [number, number, number, number] = [
        Math.floor(rng() * (size - w)),
        Math.floor(rng() * (size - h)),
        w,
        h,
      ];
      const cat = categories[Math.floor(rng() * K)].id;
      const crowd = rng() < 0.01 ? 1 : 0;
      annotations.push({
        id: annotations.length + 1,
        image_id: im.id,
        category_id: cat,
        bbox: box,
        area: crowd ? w * h : w * h * (0.5 + 0.4 * rng()), // polygon area < box area, as in COCO
        iscrowd: crowd,
      });
      objs.push({ cat, box });
    }
    const nDet = Math.round(perImage * (0.5 + rng())); // evened out below to the exact total
    for (let j = 0; j < nDet; j++) {
      if (objs.length > 0 && rng() < 0.6) {
        const o2 = objs[Math.floor(rng() * objs.length)];
        const [x, y, w, h] = o2.box;
        const q = rng() * 0.3; // localisation noise, relative to the box size
        const jx = (rng() - 0.5) * q * w,
          jy = (rng() - 0.5) * q * h;
        const bw = Math.max(1, w * (1 + (rng() - 0.5) * q)),
          bh = Math.max(1, h * (1 + (rng() - 0.5) * q));
        const cat = rng() < 0.9 ? o2.cat : categories[Math.floor(rng() * K)].id;
        dets.push({
          image_id: im.id,
          category_id: cat,
          bbox: [clamp(x + jx, 0, size), clamp(y + jy, 0, size), bw, bh],
          score: clamp(1 - q * 2 + (rng() - 0.5) * 0.6, 0.001, 1),
        });
      } else {
        const w = 2 + rng() * 200,
          h = 2 + rng() * 200;
        dets.push({
          image_id: im.id,
          category_id: categories[Math.floor(rng() * K)].id,
          bbox: [rng() * (size - w), rng() * (size - h), w, h],
          score: Math.round(rng() * 0.7 * 1000) / 1000,
        });
      }
    }
  }
  // Exactly o.detections: drop from the end or pad with false positives on random images.
  dets.length = Math.min(dets.length, o.detections);
  while (dets.length < o.detections) {
    const im = images[Math.floor(rng() * images.length)];
    dets.push({
      image_id: im.id,
      category_id: categories[Math.floor(rng() * K)].id,
      bbox: [rng() * 500, rng() * 500, 5 + rng() * 100, 5 + rng() * 100],
      score: rng() * 0.5,
    });
  }
  return { gt: { images, categories, annotations }, dets };
}
