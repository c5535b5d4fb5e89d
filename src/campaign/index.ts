// Public surface of campaigns: the campaign file, the loop, the queues, the journal and the outputs.
export { campaignSchema, resolveCampaign, loadCampaignFile, CampaignConfigError, CAMPAIGN_NAME, type ResolvedCampaign, type CampaignInput, type ConfigIssue } from './config.js';
export { runCampaign, trialId, CampaignError, type CampaignEnv, type CampaignEvent, type CampaignStats, type CampaignSummary } from './campaign.js';
export { campaignSpace, campaignController } from './factory.js';
export { readJournal, readJournalFile, Journal, JournalError, type JournalEvent } from './journal.js';
export { readCampaignDir, type CampaignDir } from './dir.js';
export { recordsFromJournal, ranked, type TrialRecord } from './records.js';
export { paretoFront, dominates } from './pareto.js';
export { graphWithProvenance, trialsCsv, paretoJson } from './outputs.js';
export type { TrialQueue, RetryOptions } from './queue/types.js';
export { EmbeddedQueue } from './queue/embedded.js';
export { BullmqQueue } from './queue/bullmq.js';
export { inlineRunner } from './queue/inline-runner.js';
export { ProcessPool, type TrialRunner } from '../../workers/process-pool.js';
export { processTrial, validateTrialJob, InvalidTrialError, type Trainer } from '../../workers/trial-processor.js';
export { createFakeTrainer, fakeMetrics, type FakeSpec } from '../../workers/fake-trainer.js';
export { startWorkers, discoverCampaigns } from '../../workers/bullmq-worker.js';
export { connectRedis, parseRedisUrl, warnIfEvicting } from '../../workers/redis-connection.js';
