// zod shapes of the two COCO files the evaluator reads: the ground truth (instances.json) and the
// detection results (a list of {image_id, category_id, bbox, score}). Untrusted input: every number must be
// finite, detection boxes must have positive size, and the first problems are reported with their JSON
// path (e.g. `detections[17].bbox: width must be > 0, got 0`). Unknown keys (segmentation, file_name, ...)
// are allowed and dropped. Cross-references (ids that name nothing) are checked by evaluateCoco.
import { z } from 'zod';
import { EvalInputError } from './errors.js';

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : String(v));

const finite = z.number({
  error: (iss) => (iss.input === undefined ? 'is required' : `must be a finite number, got ${show(iss.input)}`),
});
const id = z.int({
  error: (iss) => (iss.input === undefined ? 'is required' : `must be an integer id, got ${show(iss.input)}`),
});

function sizeCheck(strict: boolean) {
  return (b: [number, number, number, number], ctx: z.RefinementCtx): void => {
    for (const [i, name] of [[2, 'width'], [3, 'height']] as const) {
      const bad = strict ? !(b[i] > 0) : b[i] < 0;
      if (bad) ctx.addIssue({ code: 'custom', message: `${name} must be ${strict ? '> 0' : '>= 0'}, got ${b[i]}` });
    }
  };
}

const bboxShape = z.tuple([finite, finite, finite, finite], {
  error: (iss) => (iss.code === 'invalid_type' ? 'must be an array [x, y, w, h]' : 'must have 4 numbers [x, y, w, h]'),
});

export const cocoImageSchema = z.looseObject({ id });
export const cocoCategorySchema = z.looseObject({
  id,
  name: z.string({ error: 'must be a string' }).optional(),
});
export const cocoAnnotationSchema = z.object({
  id,
  image_id: id,
  category_id: id,
  bbox: bboxShape.superRefine(sizeCheck(false)),
  // pycocotools reads `area` for the small/medium/large ranges; it does not compute it.
  area: finite.refine((a) => a >= 0, { error: 'must be >= 0' }),
  iscrowd: z.union([z.literal(0), z.literal(1), z.boolean()], { error: 'must be 0 or 1' }).optional(),
});
export const cocoGroundTruthSchema = z.object({
  images: z.array(cocoImageSchema, { error: 'must be an array' }),
  annotations: z.array(cocoAnnotationSchema, { error: 'must be an array' }).default([]),
  categories: z.array(cocoCategorySchema, { error: 'must be an array' }),
}, { error: 'must be a COCO object {images, annotations, categories}' });

export const cocoDetectionSchema = z.object({
  image_id: id,
  category_id: id,
  bbox: bboxShape.superRefine(sizeCheck(true)),
  score: finite,
});
export const cocoDetectionsSchema = z.array(cocoDetectionSchema, { error: 'must be a JSON array of detections' });

export type CocoGroundTruthInput = z.input<typeof cocoGroundTruthSchema>;
export type CocoGroundTruth = z.output<typeof cocoGroundTruthSchema>;
export type CocoAnnotation = z.output<typeof cocoAnnotationSchema>;
export type CocoDetection = z.output<typeof cocoDetectionSchema>;

/** `detections` + [17, 'bbox'] → `detections[17].bbox`; root '' + ['images', 2] → `images[2]`. */
export function formatPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  let s = root;
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  if (s.startsWith('.')) s = s.slice(1);
  return s === '' ? '$' : s;
}

const MAX_REPORTED = 5;

function parseWith<T>(schema: z.ZodType<T>, data: unknown, root: string, file?: string): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues;
  const lines = issues.slice(0, MAX_REPORTED).map((i) => `${formatPath(root, i.path)}: ${i.message}`);
  if (issues.length > MAX_REPORTED) lines.push(`... and ${issues.length - MAX_REPORTED} more problems`);
  const prefix = file ? `${file}: ` : '';
  throw new EvalInputError('schema', prefix + lines.join('\n' + prefix), { path: formatPath(root, issues[0].path), file });
}

/** Validates a parsed instances.json. Throws EvalInputError naming the first offending entries. */
export function parseCocoGroundTruth(data: unknown, file?: string): CocoGroundTruth {
  return parseWith(cocoGroundTruthSchema, data, '', file);
}

/** Validates a parsed detection-results file. Throws EvalInputError naming the first offending entries. */
export function parseCocoDetections(data: unknown, file?: string): CocoDetection[] {
  return parseWith(cocoDetectionsSchema, data, 'detections', file);
}
