// The COCO `instances` format (images, annotations, categories), validated in one place for both of its
// readers. Untrusted input: every id is an integer, every number finite, every box [x, y, w, h] with
// w, h ≥ 0, every area ≥ 0; unknown keys (info, licenses, segmentation, …) are allowed and dropped. What
// the readers need beyond that differs:
// - the dataset loader reads the images, so each needs file_name, width and height, and each category a
//   name; it relies on every id being unique and every annotation naming a listed image and category; an
//   annotation without id or area gets index + 1 and w·h;
// - the evaluator needs each annotation's id and area, as pycocotools reads both and computes neither; it
//   checks ids itself (evaluateCoco), for in-memory input too.
// Hand-written rather than a schema library: a COCO file holds up to ~10⁶ annotations, and this walk is
// several times faster than an equivalent zod schema. Problems carry path segments; each reader writes
// them with util/zod-issues.ts's jsonPath under its own root.

export type CocoReader = 'dataset' | 'evaluator';

/** An image as the evaluator sees it: its id (other keys kept as they are). */
export interface CocoImageRef {
  id: number;
  [key: string]: unknown;
}

/** An image the dataset loader reads: file_name, width and height are required. */
export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoCategory {
  id: number;
  /** Required by the dataset loader. */
  name?: string;
  [key: string]: unknown;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd?: 0 | 1 | boolean;
}

/** A ground-truth document as the evaluator takes it (annotations may be absent: no objects). */
export interface CocoGroundTruthInput {
  images: CocoImageRef[];
  annotations?: CocoAnnotation[];
  categories: CocoCategory[];
}

export interface CocoGroundTruth extends CocoGroundTruthInput {
  annotations: CocoAnnotation[];
}

/** What the dataset loader gets: image files and sizes, named categories, defaults filled in. */
export interface CocoDatasetDocument {
  images: CocoImage[];
  annotations: Array<CocoAnnotation & { iscrowd: 0 | 1 }>;
  categories: Array<{ id: number; name: string }>;
}

/** One problem: where (path segments from the document root) and what. */
export interface CocoIssue {
  path: Array<string | number>;
  message: string;
}

/** The checked value, or the first problems (at most KEPT_ISSUES) and how many there are in all. */
export type CocoCheck<T> = { ok: true; value: T } | { ok: false; issues: CocoIssue[]; total: number };

/** A value as an error message shows it: strings quoted (long ones cut), containers by kind. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

// Each check answers the problem with a value, or undefined when there is none; a path is built only for
// a problem, so a valid document costs no allocations beyond its output. The evaluator checks detection
// results with the same words (given, idProblem, finiteProblem, boxProblems).
export const given = (v: unknown, what: string) => (v === undefined ? 'is required' : `${what}, got ${showValue(v)}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const idProblem = (v: unknown) => (Number.isSafeInteger(v) ? undefined : given(v, 'must be an integer id'));
export const finiteProblem = (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : given(v, 'must be a finite number');
const positiveProblem = (v: unknown) =>
  Number.isSafeInteger(v) && (v as number) > 0 ? undefined : given(v, 'must be a positive integer');
const nameProblem = (v: unknown) =>
  typeof v === 'string' && v.length > 0 ? undefined : given(v, 'must be a non-empty string');
const areaProblem = (v: unknown) => finiteProblem(v) ?? ((v as number) >= 0 ? undefined : 'must be >= 0');
const crowdProblem = (v: unknown) =>
  v === undefined || v === 0 || v === 1 || v === true || v === false ? undefined : 'must be 0 or 1';

/**
 * The problems of a box: [x, y, w, h] of finite numbers with w, h ≥ 0 or, with `strictSize` (detections),
 * w, h > 0. `index` is the offending number's, when the problem is one number. Undefined when it is a box.
 */
export function boxProblems(v: unknown, strictSize: boolean): Array<{ index?: number; message: string }> | undefined {
  if (!Array.isArray(v)) return [{ message: v === undefined ? 'is required' : 'must be an array [x, y, w, h]' }];
  if (v.length !== 4) return [{ message: 'must have 4 numbers [x, y, w, h]' }];
  let out: Array<{ index?: number; message: string }> | undefined;
  for (let k = 0; k < 4; k++) {
    const m = finiteProblem(v[k]);
    if (m) (out ??= []).push({ index: k, message: m });
  }
  if (out) return out;
  for (const [k, name] of [
    [2, 'width'],
    [3, 'height'],
  ] as const) {
    if (strictSize ? !(v[k] > 0) : v[k] < 0)
      (out ??= []).push({ message: `${name} must be ${strictSize ? '> 0' : '>= 0'}, got ${v[k]}` });
  }
  return out;
}

type Key = 'images' | 'annotations' | 'categories';
type Segment = string | number;

/** Problems kept for the message; the rest are counted (a broken file may have one per annotation). */
export const KEPT_ISSUES = 100;

/** The problems found so far; a walk stops once `limit` are found. */
export class Issues {
  readonly list: CocoIssue[] = [];
  count = 0;
  constructor(private readonly limit = Infinity) {}
  /** Records `message` (if any) at path [a, b, c, d]: fixed arity, so nothing is allocated when there is none. */
  add(message: string | undefined, a?: Segment, b?: Segment, c?: Segment, d?: Segment): void {
    if (message === undefined) return;
    this.count++;
    if (this.list.length >= KEPT_ISSUES) return;
    const path: Segment[] = [];
    for (const s of [a, b, c, d]) if (s !== undefined) path.push(s);
    this.list.push({ path, message });
  }
  get full(): boolean {
    return this.count >= this.limit;
  }
  /** The check's answer: `value`, or the problems if there are any. */
  result<T>(value: T): CocoCheck<T> {
    return this.count > 0 ? { ok: false, issues: this.list, total: this.count } : { ok: true, value };
  }
}

function checkImage(v: unknown, i: number, dataset: boolean, issues: Issues): CocoImageRef | CocoImage | undefined {
  if (!isObject(v)) return void issues.add(given(v, 'must be an object'), 'images', i);
  const before = issues.count;
  issues.add(idProblem(v.id), 'images', i, 'id');
  if (!dataset) return issues.count === before ? (v as CocoImageRef) : undefined;
  issues.add(nameProblem(v.file_name), 'images', i, 'file_name');
  issues.add(positiveProblem(v.width), 'images', i, 'width');
  issues.add(positiveProblem(v.height), 'images', i, 'height');
  if (issues.count > before) return undefined;
  return { id: v.id as number, file_name: v.file_name as string, width: v.width as number, height: v.height as number };
}

function checkCategory(v: unknown, i: number, dataset: boolean, issues: Issues): CocoCategory | undefined {
  if (!isObject(v)) return void issues.add(given(v, 'must be an object'), 'categories', i);
  const before = issues.count;
  issues.add(idProblem(v.id), 'categories', i, 'id');
  if (dataset) issues.add(nameProblem(v.name), 'categories', i, 'name');
  else if (v.name !== undefined && typeof v.name !== 'string') issues.add('must be a string', 'categories', i, 'name');
  if (issues.count > before) return undefined;
  return dataset ? { id: v.id as number, name: v.name as string } : (v as CocoCategory);
}

function checkAnnotation(v: unknown, i: number, dataset: boolean, issues: Issues): CocoAnnotation | undefined {
  if (!isObject(v)) return void issues.add(given(v, 'must be an object'), 'annotations', i);
  const before = issues.count;
  // The dataset loader fills a missing id and area in; the evaluator needs them given.
  if (!(dataset && v.id === undefined)) issues.add(idProblem(v.id), 'annotations', i, 'id');
  issues.add(idProblem(v.image_id), 'annotations', i, 'image_id');
  issues.add(idProblem(v.category_id), 'annotations', i, 'category_id');
  const box = boxProblems(v.bbox, false);
  if (box) for (const p of box) issues.add(p.message, 'annotations', i, 'bbox', p.index);
  if (!(dataset && v.area === undefined)) issues.add(areaProblem(v.area), 'annotations', i, 'area');
  issues.add(crowdProblem(v.iscrowd), 'annotations', i, 'iscrowd');
  if (issues.count > before) return undefined;
  const bbox = v.bbox as [number, number, number, number];
  const a: CocoAnnotation = {
    id: (v.id as number | undefined) ?? i + 1,
    image_id: v.image_id as number,
    category_id: v.category_id as number,
    bbox,
    area: (v.area as number | undefined) ?? bbox[2] * bbox[3],
  };
  if (dataset) a.iscrowd = v.iscrowd === 1 || v.iscrowd === true ? 1 : 0;
  else if (v.iscrowd !== undefined) a.iscrowd = v.iscrowd as 0 | 1 | boolean;
  return a;
}

/** The document's parts that passed (the answer when `issues` stays empty). */
function walk(doc: unknown, dataset: boolean, issues: Issues): CocoGroundTruth | CocoDatasetDocument | undefined {
  if (!isObject(doc)) return void issues.add('must be a COCO object {images, annotations, categories}');
  const list = (key: Key): unknown[] => {
    const v = doc[key];
    if (Array.isArray(v)) return v;
    // No annotations is a document without objects.
    if (!(key === 'annotations' && v === undefined)) issues.add('must be an array', key);
    return [];
  };
  const images = list('images');
  const annotations = list('annotations');
  const categories = list('categories');
  const out = {
    images: [] as Array<CocoImageRef | CocoImage>,
    annotations: [] as CocoAnnotation[],
    categories: [] as CocoCategory[],
  };
  for (let i = 0; i < images.length && !issues.full; i++) {
    const im = checkImage(images[i], i, dataset, issues);
    if (im) out.images.push(im);
  }
  for (let i = 0; i < annotations.length && !issues.full; i++) {
    const a = checkAnnotation(annotations[i], i, dataset, issues);
    if (a) out.annotations.push(a);
  }
  for (let i = 0; i < categories.length && !issues.full; i++) {
    const c = checkCategory(categories[i], i, dataset, issues);
    if (c) out.categories.push(c);
  }
  if (issues.count === 0 && dataset) crossCheck(out.images, out.annotations, out.categories, issues);
  return out as CocoGroundTruth | CocoDatasetDocument;
}

/** Every id unique and every annotation's image and category listed: what the dataset loader relies on. */
function crossCheck(
  images: ReadonlyArray<{ id: number }>,
  annotations: ReadonlyArray<CocoAnnotation>,
  categories: ReadonlyArray<{ id: number }>,
  issues: Issues,
): void {
  const ids = (list: ReadonlyArray<{ id: number }>, key: Key, what: string): Set<number> => {
    const seen = new Set<number>();
    list.forEach((item, i) => {
      if (seen.has(item.id)) issues.add(`duplicate ${what} id ${item.id}`, key, i, 'id');
      seen.add(item.id);
    });
    return seen;
  };
  const imageIds = ids(images, 'images', 'image');
  const categoryIds = ids(categories, 'categories', 'category');
  if (categories.length === 0) issues.add('no categories', 'categories');
  for (let i = 0; i < annotations.length && !issues.full; i++) {
    const a = annotations[i];
    if (!imageIds.has(a.image_id)) issues.add(`no image with id ${a.image_id}`, 'annotations', i, 'image_id');
    if (!categoryIds.has(a.category_id))
      issues.add(`no category with id ${a.category_id}`, 'annotations', i, 'category_id');
  }
}

/**
 * Validates a parsed instances document for `reader`. Stops after `limit` problems (the dataset loader
 * reports the first; the evaluator lists a few and counts them all).
 */
export function checkCocoDocument(doc: unknown, reader: 'dataset', limit?: number): CocoCheck<CocoDatasetDocument>;
export function checkCocoDocument(doc: unknown, reader: 'evaluator', limit?: number): CocoCheck<CocoGroundTruth>;
export function checkCocoDocument(
  doc: unknown,
  reader: CocoReader,
  limit = Infinity,
): CocoCheck<CocoGroundTruth | CocoDatasetDocument> {
  const issues = new Issues(limit);
  return issues.result(walk(doc, reader === 'dataset', issues)!);
}
