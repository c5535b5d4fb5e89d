// Reading the two COCO files from disk with errors that name the file (and line:column for bad JSON).
// Only regular files, at most INPUT_LIMITS.cocoJson bytes each: /dev/zero or a FIFO is refused, not read.
import { findOverflowingNumber, lineColumn, overflowMessage, stripBom } from '../util/json-text.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { jsonPath } from '../util/zod-issues.js';
import { EvalInputError } from './errors.js';
import { parseJsonText } from './json-text.js';
import { type CocoDetection, type CocoGroundTruth, parseCocoDetections, parseCocoGroundTruth } from './schema.js';

function readText(file: string): string {
  try {
    return readTextBounded(file, INPUT_LIMITS.cocoJson, 'COCO JSON file');
  } catch (err) {
    const why = err instanceof BoundedReadError ? err.reason : (err as Error).message;
    throw new EvalInputError('IO', `${file}: cannot read: ${why}`, { file });
  }
}

/** Parses the JSON, refusing number literals that overflow to Infinity with their path and line:column. */
function parseFile(file: string, root: string): unknown {
  // Without its BOM here too, so the line:column of an overflowing number counts from the same text.
  const text = stripBom(readText(file));
  const value = parseJsonText(text, file);
  const overflow = findOverflowingNumber(text, value);
  if (overflow) {
    const { line, column } = lineColumn(text, overflow.offset);
    const path = jsonPath(overflow.path, root);
    throw new EvalInputError(
      'SCHEMA',
      `${file}: ${path}: ${overflowMessage(overflow)} at line ${line}, column ${column}`,
      { file, path },
    );
  }
  return value;
}

export async function readCocoGroundTruthFile(file: string): Promise<CocoGroundTruth> {
  return parseCocoGroundTruth(parseFile(file, ''), file);
}

export async function readCocoDetectionsFile(file: string): Promise<CocoDetection[]> {
  return parseCocoDetections(parseFile(file, 'detections'), file);
}
