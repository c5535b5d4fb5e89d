// Parsing and checking a COCO `instances` JSON. Hand-written rather than a schema library: COCO files can
// hold hundreds of thousands of annotations, and every error must name the file and the JSON path.
import { jsonSyntaxReport, stripBom } from '../util/json-text.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { DatasetError } from './errors.js';

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1;
}

export interface CocoCategory {
  id: number;
  name: string;
}

export interface CocoInstances {
  file: string;
  images: CocoImage[];
  annotations: CocoAnnotation[];
  /** Sorted by id. */
  categories: CocoCategory[];
}

type Json = unknown;

class Checker {
  constructor(readonly file: string) {}

  fail(path: string, what: string): never {
    throw new DatasetError('bad-json', `${this.file}: ${path}: ${what}`, { file: this.file, jsonPath: path });
  }

  object(v: Json, path: string): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `expected an object, got ${describe(v)}`);
    return v as Record<string, Json>;
  }

  array(v: Json, path: string): Json[] {
    if (!Array.isArray(v)) this.fail(path, `expected an array, got ${describe(v)}`);
    return v;
  }

  integer(v: Json, path: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(path, `expected an integer, got ${describe(v)}`);
    return v;
  }

  finite(v: Json, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `expected a finite number, got ${describe(v)}`);
    return v;
  }

  string(v: Json, path: string): string {
    if (typeof v !== 'string' || v.length === 0) this.fail(path, `expected a non-empty string, got ${describe(v)}`);
    return v;
  }
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Validate a parsed instances document. Unknown keys are allowed (COCO files carry `info`, `licenses`…). */
export function checkCocoInstances(doc: Json, file: string): CocoInstances {
  const c = new Checker(file);
  const root = c.object(doc, '$');
  const images: CocoImage[] = [];
  const imageIds = new Set<number>();
  c.array(root.images, '$.images').forEach((v, i) => {
    const p = `$.images[${i}]`;
    const o = c.object(v, p);
    const id = c.integer(o.id, `${p}.id`);
    if (imageIds.has(id)) c.fail(`${p}.id`, `duplicate image id ${id}`);
    imageIds.add(id);
    const file_name = c.string(o.file_name, `${p}.file_name`);
    const width = c.integer(o.width, `${p}.width`);
    const height = c.integer(o.height, `${p}.height`);
    if (width <= 0 || height <= 0) c.fail(p, `image size must be positive, got ${width}×${height}`);
    images.push({ id, file_name, width, height });
  });
  const categories: CocoCategory[] = [];
  const categoryIds = new Set<number>();
  c.array(root.categories, '$.categories').forEach((v, i) => {
    const p = `$.categories[${i}]`;
    const o = c.object(v, p);
    const id = c.integer(o.id, `${p}.id`);
    if (categoryIds.has(id)) c.fail(`${p}.id`, `duplicate category id ${id}`);
    categoryIds.add(id);
    categories.push({ id, name: c.string(o.name, `${p}.name`) });
  });
  if (categories.length === 0) c.fail('$.categories', 'no categories');
  categories.sort((a, b) => a.id - b.id);
  const annotations: CocoAnnotation[] = [];
  c.array(root.annotations ?? [], '$.annotations').forEach((v, i) => {
    const p = `$.annotations[${i}]`;
    const o = c.object(v, p);
    const image_id = c.integer(o.image_id, `${p}.image_id`);
    if (!imageIds.has(image_id)) c.fail(`${p}.image_id`, `no image with id ${image_id}`);
    const category_id = c.integer(o.category_id, `${p}.category_id`);
    if (!categoryIds.has(category_id)) c.fail(`${p}.category_id`, `no category with id ${category_id}`);
    const b = c.array(o.bbox, `${p}.bbox`);
    if (b.length !== 4) c.fail(`${p}.bbox`, `expected [x, y, width, height], got ${b.length} numbers`);
    const bbox = b.map((x, k) => c.finite(x, `${p}.bbox[${k}]`)) as [number, number, number, number];
    if (bbox[2] < 0 || bbox[3] < 0) c.fail(`${p}.bbox`, `negative width or height (${bbox[2]}, ${bbox[3]})`);
    const area = o.area === undefined ? bbox[2] * bbox[3] : c.finite(o.area, `${p}.area`);
    const crowd = o.iscrowd === undefined ? 0 : o.iscrowd;
    if (crowd !== 0 && crowd !== 1 && crowd !== true && crowd !== false) c.fail(`${p}.iscrowd`, `expected 0 or 1, got ${describe(crowd)}`);
    const id = o.id === undefined ? i + 1 : c.integer(o.id, `${p}.id`);
    annotations.push({ id, image_id, category_id, bbox, area, iscrowd: crowd === 1 || crowd === true ? 1 : 0 });
  });
  return { file, images, annotations, categories };
}

export function readCocoInstances(file: string): CocoInstances {
  let text: string;
  try {
    // Bounded: only a regular file, at most INPUT_LIMITS.cocoJson bytes (a V8 string cannot hold much more).
    text = readTextBounded(file, INPUT_LIMITS.cocoJson, 'COCO JSON file');
  } catch (err) {
    const tooLarge = err instanceof BoundedReadError && err.code === 'too-large';
    throw new DatasetError(tooLarge ? 'too-large' : 'missing-file', `cannot read ${(err as Error).message}`, { file });
  }
  let doc: Json;
  try {
    doc = JSON.parse(stripBom(text)); // a leading BOM is ignored, as in every JSON file we read
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(stripBom(text), err);
    throw new DatasetError('bad-json', `${file}: not valid JSON at line ${line}, column ${column}: ${reason}`, { file });
  }
  return checkCocoInstances(doc, file);
}
