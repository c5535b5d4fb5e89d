// The message a trial is carried in, through the embedded pool or BullMQ (the job data), and its answer.
import type { PyramidGraph } from '../src/graph/types.js';
import type { TrialMetrics, TrialStatus } from '../controllers/types.js';
import type { ProxyTaskConfig } from '../src/train/proxy-config.js';

export interface TrialJob {
  campaign: string;
  /** `<campaign>-<index>`; also the BullMQ jobId, so a trial is enqueued at most once. */
  trialId: string;
  index: number;
  graph: PyramidGraph;
  proxy: ProxyTaskConfig;
}

export interface TrialResult {
  trialId: string;
  status: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
  /** Seconds the processor spent on the trial, end to end. */
  wallSeconds: number;
  worker?: string;
}
