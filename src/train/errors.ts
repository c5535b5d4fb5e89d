// Typed training failures: workers and the CLI branch on `code`. A graph the trainer cannot build is the
// user's to fix (exit code 2); the rest are failures of the run.
import { PyramidNasError } from '../util/errors.js';

/** Every code a TrainError carries (a pooled training's answer is mapped back to one by its code). */
export const TRAIN_ERROR_CODES = [
  'NAN_LOSS',
  'ABORTED',
  'BAD_GRAPH',
  'EMPTY_DATASET',
  'NO_BACKBONE_WEIGHTS',
  'BAD_CHECKPOINT',
] as const;
export type TrainErrorCode = (typeof TRAIN_ERROR_CODES)[number];

export class TrainError extends PyramidNasError {
  declare readonly code: TrainErrorCode;
  constructor(
    code: TrainErrorCode,
    message: string,
    readonly step?: number,
  ) {
    super(code, message, { usage: code === 'BAD_GRAPH' || code === 'BAD_CHECKPOINT' });
    this.name = 'TrainError';
  }
}
