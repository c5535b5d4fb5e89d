// Reading a COCO `instances` JSON for the dataset loader: bounded, BOM-tolerant, every error naming the
// file and the JSON path. What a valid document is, coco-instances.ts says (the evaluator checks with it too).
import { jsonSyntaxReport, stripBom } from '../util/json-text.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { jsonPath } from '../util/zod-issues.js';
import { checkCocoDocument, type CocoDatasetDocument } from './coco-instances.js';
import { DatasetError } from './errors.js';

export type { CocoImage } from './coco-instances.js';
export type CocoAnnotation = CocoDatasetDocument['annotations'][number];
export type CocoCategory = CocoDatasetDocument['categories'][number];

export interface CocoInstances extends CocoDatasetDocument {
  file: string;
  /** Sorted by id. */
  categories: CocoCategory[];
}

/** Validates a parsed instances document (coco-instances.ts); the first problem is named with its JSON path. */
export function checkCocoInstances(doc: unknown, file: string): CocoInstances {
  const r = checkCocoDocument(doc, 'dataset', 1);
  if (!r.ok) {
    const path = jsonPath(r.issues[0].path);
    throw new DatasetError('BAD_JSON', `${file}: ${path}: ${r.issues[0].message}`, { file, path });
  }
  return { file, ...r.value, categories: r.value.categories.sort((a, b) => a.id - b.id) };
}

export function readCocoInstances(file: string): CocoInstances {
  let text: string;
  try {
    // Bounded: only a regular file, at most INPUT_LIMITS.cocoJson bytes (a V8 string cannot hold much more).
    text = readTextBounded(file, INPUT_LIMITS.cocoJson, 'COCO JSON file');
  } catch (err) {
    const tooLarge = err instanceof BoundedReadError && err.code === 'TOO_LARGE';
    throw new DatasetError(tooLarge ? 'TOO_LARGE' : 'MISSING_FILE', `cannot read ${(err as Error).message}`, { file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(stripBom(text)); // a leading BOM is ignored, as in every JSON file we read
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(stripBom(text), err);
    throw new DatasetError('BAD_JSON', `${file}: not valid JSON at line ${line}, column ${column}: ${reason}`, {
      file,
    });
  }
  return checkCocoInstances(doc, file);
}
