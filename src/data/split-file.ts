// `pyramid-nas.split.json`: which image ids of a COCO folder belong to which split. `dataset export` writes
// one so that an exported held-out split loads as the held-out split; users may write their own. Read
// like any user file: only a regular file, at most INPUT_LIMITS.splitFile bytes, a leading BOM ignored.
import { jsonSyntaxReport, stripBom } from '../util/json-text.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { DatasetError } from './errors.js';

export const SPLIT_FILE_NAME = 'pyramid-nas.split.json';
export const SPLIT_FORMAT = 'pyramid-nas-split/1';

export interface SplitFile {
  format: typeof SPLIT_FORMAT;
  train: number[];
  heldout: number[];
  /** Images only `pyramid-nas evaluate` reads (absent: none). */
  test?: number[];
  /** Provenance of an export (dataset, seed, imageSize…); ignored by the loader. */
  source?: Record<string, unknown>;
}

export function readSplitFile(file: string): SplitFile {
  let text: string;
  try {
    text = stripBom(readTextBounded(file, INPUT_LIMITS.splitFile, 'split file'));
  } catch (err) {
    if (!(err instanceof BoundedReadError)) throw err;
    // As readCocoInstances: too large is its own code; anything else means there is no file to read.
    const code = err.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'MISSING_FILE';
    throw new DatasetError(code, `cannot read ${err.message}`, { file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(text, err);
    throw new DatasetError('BAD_JSON', `${file}: not valid JSON at line ${line}, column ${column}: ${reason}`, {
      file,
    });
  }
  const fail = (path: string, what: string): never => {
    throw new DatasetError('BAD_JSON', `${file}: ${path}: ${what}`, { file, path: path });
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('$', 'expected an object');
  const o = doc as Record<string, unknown>;
  if (o.format !== SPLIT_FORMAT) fail('$.format', `expected "${SPLIT_FORMAT}", got ${JSON.stringify(o.format)}`);
  const seen = new Map<number, string>();
  const ids = (key: 'train' | 'heldout' | 'test'): number[] => {
    const v = o[key] ?? [];
    if (!Array.isArray(v)) return fail(`$.${key}`, 'expected an array of image ids');
    return v.map((id, i) => {
      if (typeof id !== 'number' || !Number.isSafeInteger(id))
        return fail(`$.${key}[${i}]`, `expected an integer image id, got ${JSON.stringify(id)}`);
      const other = seen.get(id);
      if (other) fail(`$.${key}[${i}]`, `image id ${id} is also in ${other}: the splits must be disjoint`);
      seen.set(id, key);
      return id;
    });
  };
  return {
    format: SPLIT_FORMAT,
    train: ids('train'),
    heldout: ids('heldout'),
    test: ids('test'),
    source: o.source as Record<string, unknown> | undefined,
  };
}
