// Typed evaluator input errors: what is wrong and where (file, JSON path such as `detections[17].bbox`).
// The CLI prints the message and exits 2.

export type EvalErrorCode =
  | 'io' // a file cannot be read
  | 'bad-json' // the text is not JSON
  | 'schema' // wrong shape, type or value
  | 'reference' // an id that names nothing in the ground truth, or a duplicate id
  | 'unsupported'; // e.g. iouType 'segm'

export class EvalInputError extends Error {
  readonly code: EvalErrorCode;
  /** JSON path of the offending entry, e.g. `detections[3].image_id`; undefined when not about one entry. */
  readonly path?: string;
  readonly file?: string;

  constructor(code: EvalErrorCode, message: string, where: { path?: string; file?: string } = {}) {
    super(message);
    this.name = 'EvalInputError';
    this.code = code;
    this.path = where.path;
    this.file = where.file;
  }
}
