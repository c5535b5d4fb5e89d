// Public surface of the COCO-style evaluator (pycocotools COCOeval, iouType 'bbox', reproduced).
export { evaluateDetections, type GtBox, type DetBox, type CategoryList } from './in-memory.js';
export { evaluateCoco, type EvalOptions } from './coco.js';
export {
  parseCocoGroundTruth,
  parseCocoDetections,
  type CocoGroundTruth,
  type CocoGroundTruthInput,
  type CocoAnnotation,
  type CocoDetection,
} from './schema.js';
export { readCocoGroundTruthFile, readCocoDetectionsFile } from './files.js';
export { EvalInputError, type EvalErrorCode } from './errors.js';
export { formatStats } from './summarize.js';
export {
  STAT_NAMES,
  IOU_THRESHOLDS,
  RECALL_THRESHOLDS,
  AREA_RANGES,
  MAX_DETS,
  type StatName,
  type AreaLabel,
} from './params.js';
export type { BBox, CocoStats, CategoryResult, EvalResult } from './types.js';
