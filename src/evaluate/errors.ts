// Errors of `pyramid-nas evaluate`: bad input the user can fix (exit 2), each naming what and where.
import { type ErrorWhere, PyramidNasError } from '../util/errors.js';

export type EvaluateErrorCode = 'BAD_LEVELS' | 'BAD_EVALUATION_INPUT' | 'BAD_EVALUATION_JOURNAL';

export class EvaluateError extends PyramidNasError {
  declare readonly code: EvaluateErrorCode;
  constructor(code: EvaluateErrorCode, message: string, where: ErrorWhere = {}) {
    super(code, message, { usage: true, where });
    this.name = 'EvaluateError';
  }
}
