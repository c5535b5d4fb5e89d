// Reading the two COCO files from disk with errors that name the file (and line:column for bad JSON).
import { readFile } from 'node:fs/promises';
import { EvalInputError } from './errors.js';
import { parseJsonText } from './json-text.js';
import { parseCocoDetections, parseCocoGroundTruth, type CocoDetection, type CocoGroundTruth } from './schema.js';

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new EvalInputError('io', `${file}: cannot read: ${why}`, { file });
  }
}

export async function readCocoGroundTruthFile(file: string): Promise<CocoGroundTruth> {
  return parseCocoGroundTruth(parseJsonText(await readText(file), file), file);
}

export async function readCocoDetectionsFile(file: string): Promise<CocoDetection[]> {
  return parseCocoDetections(parseJsonText(await readText(file), file), file);
}
