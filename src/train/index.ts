// The proxy training loop. Its task (the proxy-task schema and defaults) and hooks are part of the trial
// contract: src/trial/.
export { trainAndEvaluate } from './trial.js';
export { TrainSession, proxyGraph } from './session.js';
export { detectSplit, evaluateSplit } from './evaluate.js';
export { TrainError, type TrainErrorCode } from './errors.js';
export { learningRateAt } from './schedule.js';
