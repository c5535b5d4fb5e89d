// The job a campaign sends for one of its graphs, trial or baseline alike: the graph, the proxy task,
// the campaign's run id and both identity hashes (src/trial/identity.ts), and the trial timeout.
import type { PyramidGraph } from '../graph/types.js';
import type { TrialJob } from '../trial/types.js';
import type { ResolvedCampaign } from './config.js';

export function campaignTrialJob(
  config: ResolvedCampaign,
  ids: { runId: string; proxyHash: string },
  r: { trialId: string; index: number; graph?: PyramidGraph; hash: string },
): TrialJob {
  return {
    campaign: config.name,
    trialId: r.trialId,
    index: r.index,
    graph: r.graph!,
    proxy: config.proxy,
    runId: ids.runId,
    graphHash: r.hash,
    proxyHash: ids.proxyHash,
    ...(config.trialTimeoutSeconds !== undefined ? { timeoutSeconds: config.trialTimeoutSeconds } : {}),
  };
}
