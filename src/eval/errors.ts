// Typed evaluator input errors: what is wrong and where (file, JSON path such as `detections[17].bbox`).
// All are the user's to fix: the CLI prints the message and exits 2.
import { PyramidNasError } from '../util/errors.js';

export type EvalErrorCode =
  | 'IO' // a file cannot be read
  | 'BAD_JSON' // the text is not JSON
  | 'SCHEMA' // wrong shape, type or value
  | 'REFERENCE' // an id that names nothing in the ground truth, or a duplicate id
  | 'UNSUPPORTED'; // e.g. iouType 'segm'

export class EvalInputError extends PyramidNasError {
  declare readonly code: EvalErrorCode;

  /** `where.path`: the JSON path of the offending entry, when the error is about one; `where.file`: its file. */
  constructor(code: EvalErrorCode, message: string, where: { path?: string; file?: string } = {}) {
    super(code, message, { usage: true, where });
    this.name = 'EvalInputError';
  }
}
