// Typed training failures: workers and the CLI branch on `code`.
export type TrainErrorCode = 'NAN_LOSS' | 'ABORTED' | 'BAD_GRAPH' | 'EMPTY_DATASET' | 'NO_BACKBONE_WEIGHTS';

export class TrainError extends Error {
  constructor(readonly code: TrainErrorCode, message: string, readonly step?: number) {
    super(message);
    this.name = 'TrainError';
  }
}
