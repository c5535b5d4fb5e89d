// evaluateCoco: the reference evaluator's answer for COCO ground truth + COCO detection results.
// Maps ids to dense indices (images and categories in ascending id order, as COCOeval sorts them),
// checks what the shapes cannot (ids that name nothing, duplicates, non-finite numbers in objects that
// did not come through the parser), then runs the shared core.
import { evaluateCore } from './core.js';
import { EvalInputError } from './errors.js';
import type { CocoDetection, CocoGroundTruthInput } from './schema.js';
import type { EvalInput, EvalResult } from './types.js';

export interface EvalOptions {
  /** Only 'bbox' is supported; 'segm' and 'keypoints' need masks/keypoints this evaluator does not handle. */
  iouType?: 'bbox' | 'segm' | 'keypoints';
}

function refError(path: string, message: string): never {
  throw new EvalInputError('REFERENCE', `${path}: ${message}`, { path });
}

function numbers(values: ArrayLike<number>, path: string): void {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) {
      throw new EvalInputError('SCHEMA', `${path}: must be finite numbers, got ${values[i]}`, { path });
    }
  }
}

function indexIds(items: ReadonlyArray<{ id: number }>, what: string): Map<number, number> {
  const seen = new Map<number, number>();
  items.forEach((it, i) => {
    const prev = seen.get(it.id);
    if (prev !== undefined) refError(`${what}[${i}].id`, `duplicate id ${it.id} (also ${what}[${prev}])`);
    seen.set(it.id, i);
  });
  const sorted = [...seen.keys()].sort((a, b) => a - b);
  return new Map(sorted.map((id, i) => [id, i]));
}

export function evaluateCoco(
  gt: CocoGroundTruthInput,
  dets: ReadonlyArray<CocoDetection>,
  options: EvalOptions = {},
): EvalResult {
  const iouType = options.iouType ?? 'bbox';
  if (iouType !== 'bbox') {
    throw new EvalInputError('UNSUPPORTED', `iouType '${iouType}' is not supported (only 'bbox': box AP)`);
  }
  const imageIndex = indexIds(gt.images, 'images');
  const catIndex = indexIds(gt.categories, 'categories');
  const names = new Map(gt.categories.map((c) => [c.id, c.name]));
  const categories = [...catIndex.keys()].map((id) => ({ id, name: names.get(id) ?? String(id) }));
  const anns = gt.annotations ?? [];
  const nGt = anns.length;
  const nDt = dets.length;
  const input: EvalInput = {
    numImages: imageIndex.size,
    categories,
    gtImage: new Int32Array(nGt),
    gtCategory: new Int32Array(nGt),
    gtBox: new Float64Array(nGt * 4),
    gtArea: new Float64Array(nGt),
    gtCrowd: new Uint8Array(nGt),
    gtMatchable: new Uint8Array(nGt),
    dtImage: new Int32Array(nDt),
    dtCategory: new Int32Array(nDt),
    dtBox: new Float64Array(nDt * 4),
    dtScore: new Float64Array(nDt),
  };
  const annIds = new Map<number, number>();
  for (let i = 0; i < nGt; i++) {
    const a = anns[i];
    const path = `annotations[${i}]`;
    const im = imageIndex.get(a.image_id);
    if (im === undefined) refError(`${path}.image_id`, `image ${a.image_id} is not in images`);
    const k = catIndex.get(a.category_id);
    if (k === undefined) refError(`${path}.category_id`, `category ${a.category_id} is not in categories`);
    // pycocotools indexes annotations by id: a duplicate silently replaces the first one.
    const prev = annIds.get(a.id);
    if (prev !== undefined) refError(`${path}.id`, `duplicate annotation id ${a.id} (also annotations[${prev}])`);
    annIds.set(a.id, i);
    numbers(a.bbox, `${path}.bbox`);
    numbers([a.area], `${path}.area`);
    input.gtImage[i] = im;
    input.gtCategory[i] = k;
    input.gtBox.set(a.bbox, i * 4);
    input.gtArea[i] = a.area;
    input.gtCrowd[i] = a.iscrowd ? 1 : 0;
    input.gtMatchable![i] = a.id === 0 ? 0 : 1;
  }
  for (let i = 0; i < nDt; i++) {
    const d = dets[i];
    const path = `detections[${i}]`;
    const im = imageIndex.get(d.image_id);
    if (im === undefined) refError(`${path}.image_id`, `image ${d.image_id} is not in the ground truth`);
    const k = catIndex.get(d.category_id);
    if (k === undefined) refError(`${path}.category_id`, `category ${d.category_id} is not in the ground truth`);
    numbers(d.bbox, `${path}.bbox`);
    numbers([d.score], `${path}.score`);
    if (!(d.bbox[2] > 0))
      throw new EvalInputError('SCHEMA', `${path}.bbox: width must be > 0, got ${d.bbox[2]}`, { path: `${path}.bbox` });
    if (!(d.bbox[3] > 0))
      throw new EvalInputError('SCHEMA', `${path}.bbox: height must be > 0, got ${d.bbox[3]}`, {
        path: `${path}.bbox`,
      });
    input.dtImage[i] = im;
    input.dtCategory[i] = k;
    input.dtBox.set(d.bbox, i * 4);
    input.dtScore[i] = d.score;
  }
  return evaluateCore(input).result;
}
