// Typed dataset errors: what went wrong, and where (file, JSON path). The CLI maps them to exit code 2.

export type DatasetErrorCode =
  | 'missing-file'
  | 'malformed-file'
  | 'bad-json'
  | 'decode-failed'
  | 'bad-option'
  | 'too-large';

export class DatasetError extends Error {
  readonly code: DatasetErrorCode;
  /** The file the problem is in, when there is one. */
  readonly file?: string;
  /** JSON path inside `file` (e.g. `annotations[3].bbox`), when the file is JSON. */
  readonly jsonPath?: string;

  constructor(code: DatasetErrorCode, message: string, where: { file?: string; jsonPath?: string } = {}) {
    super(message);
    this.name = 'DatasetError';
    this.code = code;
    this.file = where.file;
    this.jsonPath = where.jsonPath;
  }
}
