// The proxy training loop and its task configuration.
export { trainAndEvaluate, type TrainHooks, type TrainProgress } from './trial.js';
export { TrainSession, proxyGraph } from './session.js';
export { detectSplit, evaluateSplit } from './evaluate.js';
export { proxyTaskSchema, DEFAULT_PROXY_TASK, resolveProxyTask, ProxyTaskError, type ProxyTask, type ProxyTaskInput } from './config.js';
export { TrainError, type TrainErrorCode } from './errors.js';
export { learningRateAt } from './schedule.js';
export type { ProxyTaskConfig, ProxyDatasetName } from './proxy-config.js';
