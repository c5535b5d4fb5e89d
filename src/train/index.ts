// The proxy training loop. Its task (the proxy-task schema and defaults) and hooks are part of the trial
// contract: src/trial/.
export { type ScoringOptions, trainAndEvaluate } from './trial.js';
export { TrainSession, proxyGraph } from './session.js';
export { trainRung } from './rung.js';
export { loadTrainState, saveTrainState, type TrainState, trainStateSchema } from './checkpoint-state.js';
export { detectSplit, evaluateSplit } from './evaluate.js';
export { TrainError, type TrainErrorCode } from './errors.js';
export { learningRateAt } from './schedule.js';
