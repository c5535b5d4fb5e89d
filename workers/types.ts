// The message a trial is carried in, through the embedded pool or BullMQ (the job data), and its answer.
import type { PyramidGraph } from '../src/graph/types.js';
import type { TrialMetrics, TrialStatus } from '../controllers/types.js';
import type { ProxyTaskConfig } from '../src/train/proxy-config.js';

export interface TrialJob {
  campaign: string;
  /** `<campaign>-<index>`: the trial's name in files and logs (the BullMQ jobId adds the run id). */
  trialId: string;
  index: number;
  graph: PyramidGraph;
  proxy: ProxyTaskConfig;
  /** The campaign's trialTimeoutSeconds: whoever runs the trial stops it after this long (absent: no limit). */
  timeoutSeconds?: number;
  /**
   * Identity (trial-identity.ts), set by campaigns: the run that asked, the graph's canonical hash and
   * the resolved proxy task's hash. The processor checks the hashes and echoes all three in its result.
   */
  runId?: string;
  graphHash?: string;
  proxyHash?: string;
}

export interface TrialResult {
  trialId: string;
  status: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
  /** Seconds the processor spent on the trial, end to end. */
  wallSeconds: number;
  worker?: string;
  /** The job's identity, echoed: a campaign uses a result only if these are the ones it asked with. */
  runId?: string;
  graphHash?: string;
  proxyHash?: string;
}
