// The trial contract, shared by the campaign side (queues, loop) and the worker side (processor, pool):
// the messages, the trainer's signature, the proxy task and a trial's identity.
export {
  TRIAL_STATUS,
  type TrialStatus,
  type TrialMetrics,
  type TrialOutcome,
  type TrialJob,
  type TrialResult,
  type TrainProgress,
  type TrainHooks,
  type Trainer,
  type TrainCheckpoint,
  type TrialRung,
} from './types.js';
export {
  proxyTaskSchema,
  DEFAULT_PROXY_TASK,
  resolveProxyTask,
  ProxyTaskError,
  type ProxyTaskConfig,
  type ProxyTaskInput,
  type ProxyDatasetName,
  type ProxyTask,
} from './proxy-task.js';
export {
  proxyHash,
  canonicalJsonText,
  identityOf,
  identityMismatch,
  jobKey,
  rungEcho,
  type TrialIdentity,
} from './identity.js';
