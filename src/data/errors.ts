// Typed dataset errors: what went wrong, and where (file, JSON path). All are the user's to fix: the CLI
// exits 2.
import { PyramidNasError } from '../util/errors.js';

export type DatasetErrorCode =
  'MISSING_FILE' | 'MALFORMED_FILE' | 'BAD_JSON' | 'DECODE_FAILED' | 'BAD_OPTION' | 'TOO_LARGE';

export class DatasetError extends PyramidNasError {
  declare readonly code: DatasetErrorCode;

  /** `where.file`: the file the problem is in; `where.path`: the JSON path inside it (`$.annotations[3].bbox`). */
  constructor(code: DatasetErrorCode, message: string, where: { file?: string; path?: string } = {}) {
    super(code, message, { usage: true, where });
    this.name = 'DatasetError';
  }
}
