// The two COCO files the evaluator reads: the ground truth (an instances document, checked by the shared
// COCO validator, data/coco-instances.ts) and the detection results (a list of {image_id, category_id,
// bbox, score}, checked here in the same words). Untrusted input: every number must be finite, detection
// boxes must have positive size, and the first problems are reported with their JSON path (e.g.
// `detections[17].bbox: width must be > 0, got 0`). Unknown keys (segmentation, file_name, ...) are allowed
// and dropped. Cross-references (ids that name nothing) are checked by evaluateCoco.
import {
  boxProblems,
  checkCocoDocument,
  type CocoCheck,
  type CocoGroundTruth,
  finiteProblem,
  given,
  idProblem,
  Issues,
} from '../data/coco-instances.js';
import { jsonPath } from '../util/zod-issues.js';
import { EvalInputError } from './errors.js';

export type { CocoAnnotation, CocoGroundTruth, CocoGroundTruthInput } from '../data/coco-instances.js';

export interface CocoDetection {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

function checkDetections(data: unknown): CocoCheck<CocoDetection[]> {
  const issues = new Issues();
  if (!Array.isArray(data)) {
    issues.add('must be a JSON array of detections');
    return issues.result([]);
  }
  const out: CocoDetection[] = [];
  data.forEach((d: unknown, i) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return issues.add(given(d, 'must be an object'), i);
    const v = d as Record<string, unknown>;
    const before = issues.count;
    issues.add(idProblem(v.image_id), i, 'image_id');
    issues.add(idProblem(v.category_id), i, 'category_id');
    const box = boxProblems(v.bbox, true);
    if (box) for (const p of box) issues.add(p.message, i, 'bbox', p.index);
    issues.add(finiteProblem(v.score), i, 'score');
    if (issues.count === before) {
      out.push({
        image_id: v.image_id as number,
        category_id: v.category_id as number,
        bbox: v.bbox as CocoDetection['bbox'],
        score: v.score as number,
      });
    }
  });
  return issues.result(out);
}

const MAX_REPORTED = 5;

/** The value, or an EvalInputError listing the first problems (paths under `root`) and how many more there are. */
function orThrow<T>(r: CocoCheck<T>, root: string, file?: string): T {
  if (r.ok) return r.value;
  const lines = r.issues.slice(0, MAX_REPORTED).map((i) => `${jsonPath(i.path, root)}: ${i.message}`);
  if (r.total > MAX_REPORTED) lines.push(`... and ${r.total - MAX_REPORTED} more problems`);
  const prefix = file ? `${file}: ` : '';
  throw new EvalInputError('SCHEMA', prefix + lines.join('\n' + prefix), {
    path: jsonPath(r.issues[0].path, root),
    file,
  });
}

/** Validates a parsed instances.json. Throws EvalInputError naming the first offending entries. */
export function parseCocoGroundTruth(data: unknown, file?: string): CocoGroundTruth {
  return orThrow(checkCocoDocument(data, 'evaluator'), '', file);
}

/** Validates a parsed detection-results file. Throws EvalInputError naming the first offending entries. */
export function parseCocoDetections(data: unknown, file?: string): CocoDetection[] {
  return orThrow(checkDetections(data), 'detections', file);
}
