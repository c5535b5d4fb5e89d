// The evaluator for code that already holds its boxes in memory (the proxy trainer): plain arrays per
// image, no JSON, same core as evaluateCoco. Image i has COCO image id i + 1 (so images are in id order),
// category c is index c of `categories`.
import { evaluateCore } from './core.js';
import { EvalInputError } from './errors.js';
import type { BBox, EvalInput, EvalResult } from './types.js';

export interface GtBox {
  bbox: BBox;
  /** 0-based category index. */
  category: number;
  /** COCO `area`, used for the small/medium/large ranges; default w·h. */
  area?: number;
  iscrowd?: 0 | 1;
}

export interface DetBox {
  bbox: BBox;
  /** 0-based category index. */
  category: number;
  score: number;
}

/** A category count, or the dataset's category list (ids default to index + 1). */
export type CategoryList = number | ReadonlyArray<{ name?: string; cocoId?: number; id?: number }>;

function fail(path: string, what: string): never {
  throw new EvalInputError('SCHEMA', `${path}: ${what}`, { path });
}

function checkBox(bbox: BBox, path: string, strictSize: boolean): void {
  if (!Array.isArray(bbox) || bbox.length !== 4) fail(path, 'must be [x, y, w, h]');
  for (let i = 0; i < 4; i++)
    if (!Number.isFinite(bbox[i])) fail(`${path}[${i}]`, `must be a finite number, got ${bbox[i]}`);
  // Decoded boxes may collapse to zero size after clipping; they simply never match.
  const bad = strictSize ? (v: number) => !(v > 0) : (v: number) => v < 0;
  if (bad(bbox[2])) fail(path, `width must be ${strictSize ? '> 0' : '>= 0'}, got ${bbox[2]}`);
  if (bad(bbox[3])) fail(path, `height must be ${strictSize ? '> 0' : '>= 0'}, got ${bbox[3]}`);
}

export function evaluateDetections(
  gtByImage: ReadonlyArray<ReadonlyArray<GtBox>>,
  detsByImage: ReadonlyArray<ReadonlyArray<DetBox>>,
  categories: CategoryList,
): EvalResult {
  if (typeof categories === 'number' && (!Number.isInteger(categories) || categories < 0)) {
    fail('categories', `must be a non-negative integer count, got ${categories}`);
  }
  const cats =
    typeof categories === 'number'
      ? Array.from({ length: categories }, (_, i) => ({ id: i + 1, name: String(i + 1) }))
      : categories.map((c, i) => {
          const id = c.cocoId ?? c.id ?? i + 1;
          return { id, name: c.name ?? String(id) };
        });
  const K = cats.length;
  if (detsByImage.length > gtByImage.length) {
    fail('detsByImage', `has ${detsByImage.length} images but gtByImage has ${gtByImage.length}`);
  }
  let nGt = 0;
  let nDt = 0;
  for (const g of gtByImage) nGt += g.length;
  for (const d of detsByImage) nDt += d?.length ?? 0;
  const input: EvalInput = {
    numImages: gtByImage.length,
    categories: cats,
    gtImage: new Int32Array(nGt),
    gtCategory: new Int32Array(nGt),
    gtBox: new Float64Array(nGt * 4),
    gtArea: new Float64Array(nGt),
    gtCrowd: new Uint8Array(nGt),
    dtImage: new Int32Array(nDt),
    dtCategory: new Int32Array(nDt),
    dtBox: new Float64Array(nDt * 4),
    dtScore: new Float64Array(nDt),
  };
  const checkCategory = (c: number, path: string): void => {
    if (!Number.isInteger(c) || c < 0 || c >= K) fail(path, `category index must be an integer in [0, ${K}), got ${c}`);
  };
  let j = 0;
  for (let i = 0; i < gtByImage.length; i++) {
    const boxes = gtByImage[i];
    for (let b = 0; b < boxes.length; b++, j++) {
      const g = boxes[b];
      const path = `gtByImage[${i}][${b}]`;
      checkBox(g.bbox, `${path}.bbox`, false);
      checkCategory(g.category, `${path}.category`);
      const area = g.area ?? g.bbox[2] * g.bbox[3];
      if (!Number.isFinite(area) || area < 0) fail(`${path}.area`, `must be a finite number >= 0, got ${area}`);
      input.gtImage[j] = i;
      input.gtCategory[j] = g.category;
      input.gtBox.set(g.bbox, j * 4);
      input.gtArea[j] = area;
      input.gtCrowd[j] = g.iscrowd ? 1 : 0;
    }
  }
  j = 0;
  for (let i = 0; i < detsByImage.length; i++) {
    const boxes = detsByImage[i] ?? [];
    for (let b = 0; b < boxes.length; b++, j++) {
      const d = boxes[b];
      const path = `detsByImage[${i}][${b}]`;
      checkBox(d.bbox, `${path}.bbox`, false);
      checkCategory(d.category, `${path}.category`);
      if (!Number.isFinite(d.score)) fail(`${path}.score`, `must be a finite number, got ${d.score}`);
      input.dtImage[j] = i;
      input.dtCategory[j] = d.category;
      input.dtBox.set(d.bbox, j * 4);
      input.dtScore[j] = d.score;
    }
  }
  return evaluateCore(input).result;
}
