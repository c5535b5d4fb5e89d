// Public surface of campaigns: the campaign file, the loop, the queues, the journal and the outputs.
export {
  campaignSchema,
  resolveCampaign,
  loadCampaignFile,
  CampaignConfigError,
  CAMPAIGN_NAME,
  type ResolvedCampaign,
  type CampaignInput,
  type ConfigIssue,
} from './config.js';
export {
  runCampaign,
  trialId,
  CampaignError,
  type CampaignEnv,
  type CampaignEvent,
  type CampaignStats,
  type CampaignSummary,
} from './campaign.js';
export { campaignSpace, campaignController } from './factory.js';
export { readJournal, readJournalFile, Journal, JournalError, type JournalEvent } from './journal.js';
export { readCampaignDir, type CampaignDir } from './dir.js';
export { ranked, type TrialRecord } from './records.js';
export { recordsFromJournal, foldJournal, JournalState } from './journal-state.js';
export { paretoFront, dominates } from './pareto.js';
export { graphWithProvenance, trialsCsv, paretoJson } from './outputs.js';
export { hypervolume2d, hypervolumeReport } from './hypervolume.js';
export { resolveBaselines, BaselineRunner, BASELINE_INDEX_BASE, type BaselineGraph } from './baselines.js';
export { resolveSeedGraphs, fitToSpace } from './seed-graphs.js';
export { constraintViolation, proxyCostOf, type Constraints } from './constraints.js';
export type { BaselineRecord, BaselineEvent, SeedGraph } from './input-events.js';
export { AshaRungs, rungSteps, topOfRung, type RungResult } from './scheduler/asha.js';
export { schedulerSchema, type AshaScheduler } from './scheduler/config.js';
export type { PromotedEvent, RungToldEvent, RungEvent } from './scheduler/rung-events.js';
export { CostLedger, ledgerText, type LedgerView, type LedgerEntry } from './ledger.js';
export type { TrialQueue, RetryOptions } from './queue/types.js';
export { EmbeddedQueue } from './queue/embedded.js';
export { BullmqQueue } from './queue/bullmq.js';
export { inlineRunner } from './queue/inline-runner.js';
export { queues, type QueueContext } from './queue/registry.js';
export { createQueue, type CreateQueueOptions, type CampaignQueue } from './queue/create.js';
