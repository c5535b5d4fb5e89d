// Running a study's campaigns, one after another, each exactly as `pyramid-nas search` runs it (runCampaign
// on the embedded pool, or on BullMQ with a Redis URL). A study spans hours, so it is resumable campaign by
// campaign: a campaign whose journal says it finished is skipped (its journal is left byte for byte as it
// is), one that was stopped part-way is resumed from its journal, and one not started yet is started.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { CampaignEvent, CampaignSummary } from '../campaign/campaign.js';
import { runCampaign } from '../campaign/campaign.js';
import { resolveCampaignInputs } from '../campaign/campaign-inputs.js';
import { type ResolvedCampaign } from '../campaign/config.js';
import { readCampaignDir } from '../campaign/dir.js';
import { campaignController, campaignSpace } from '../campaign/factory.js';
import { foldJournal } from '../campaign/journal-state.js';
import { createQueue, type CreateQueueOptions } from '../campaign/queue/create.js';
import { canonicalJsonText } from '../trial/identity.js';
import { PyramidNasError } from '../util/errors.js';
import type { PlannedCampaign, StudyPlan } from './plan.js';

export type CampaignState = 'not started' | 'unfinished' | 'finished';

/** Where a planned campaign stands, from its folder alone, with what was read to tell (absent: not started). */
export function readCampaignState(dir: string): { state: CampaignState; read?: ReturnType<typeof readCampaignDir> } {
  if (!existsSync(join(dir, 'journal.jsonl'))) return { state: 'not started' };
  const read = readCampaignDir(dir);
  return { state: foldJournal(read.events).finished ? 'finished' : 'unfinished', read };
}

/** Where a planned campaign stands, from its folder alone. */
export const campaignState = (dir: string): CampaignState => readCampaignState(dir).state;

/** What decides a campaign's journal: everything but where it is written and how many trials run at once. */
function comparable(config: ResolvedCampaign): Record<string, unknown> {
  const { output: _output, concurrency: _concurrency, ...rest } = config;
  return rest;
}

/** The paths ($.proxy.backboneWeights) where two parsed JSON values differ, the first `limit` of them. */
function differingPaths(a: unknown, b: unknown, path = '$', out: string[] = [], limit = 3): string[] {
  if (out.length >= limit || canonicalJsonText(a) === canonicalJsonText(b)) return out;
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      differingPaths(a[key], b[key], `${path}.${key}`, out, limit);
  } else out.push(`${path} (journal: ${JSON.stringify(b) ?? 'absent'}, study file: ${JSON.stringify(a) ?? 'absent'})`);
  return out;
}

/**
 * A campaign folder started from another version of the study file (another proxy task included, such as
 * another backbone) is not continued silently: its journal would mix results of two configurations.
 */
export function checkSameConfig(planned: PlannedCampaign, journaled: ResolvedCampaign, file: string): void {
  const differs = differingPaths(comparable(planned.config), comparable(journaled));
  if (differs.length === 0) return;
  throw new PyramidNasError(
    'STUDY_CHANGED',
    `${planned.dir}: this campaign was started with another configuration than ${file} now gives it ` +
      `(${differs.join('; ')}); restore the study file, or use another --out`,
    { usage: true, where: { file: planned.dir } },
  );
}

export interface RunStudyOptions {
  /** Queue options: `redis` for BullMQ, `runner` for an in-process trainer (tests); absent: the embedded pool. */
  queue?: Pick<CreateQueueOptions, 'redis' | 'runner' | 'limits' | 'raiseLimitsWith'>;
  log?(line: string): void;
  onEvent?(campaign: PlannedCampaign, ev: CampaignEvent): void;
  /** Told each campaign's queue as it is made, so that a signal handler can close it. */
  onQueue?(queue: { close(): Promise<void> }): void;
  /** Called after each campaign that ran (not those skipped as finished). */
  afterCampaign?(campaign: PlannedCampaign, summary: CampaignSummary): void | Promise<void>;
}

export interface StudyRunResult {
  ran: string[];
  resumed: string[];
  skipped: string[];
}

export async function runStudyCampaigns(plan: StudyPlan, o: RunStudyOptions = {}): Promise<StudyRunResult> {
  const result: StudyRunResult = { ran: [], resumed: [], skipped: [] };
  // Every folder is checked before any campaign runs: a changed study file stops the study at once.
  const states = plan.campaigns.map((p) => {
    const state = campaignState(p.dir);
    if (state !== 'not started') checkSameConfig(p, readCampaignDir(p.dir).config, plan.file);
    return state;
  });
  for (const [i, p] of plan.campaigns.entries()) {
    const state = states[i];
    if (state === 'finished') {
      result.skipped.push(p.id);
      o.log?.(`[${i + 1}/${plan.campaigns.length}] ${p.id}: finished, skipped`);
      continue;
    }
    const resume = state === 'unfinished';
    o.log?.(`[${i + 1}/${plan.campaigns.length}] ${p.id}: ${resume ? 'resuming' : 'starting'} (${p.dir})`);
    // Resumed, the journal's own config runs (as `search --resume` does); it was checked equal above.
    const config = resume ? readCampaignDir(p.dir).config : p.config;
    const space = campaignSpace(config, plan.file);
    const probe = await campaignController(config, space, plan.file);
    const inputs = await resolveCampaignInputs(config, space, plan.file, probe, resume);
    const run = await createQueue(config, {
      ...o.queue,
      warn: (m) => o.log?.(`warning: ${m}`),
      info: (m) => o.log?.(m),
    });
    o.onQueue?.(run);
    if (o.queue?.redis)
      o.log?.(
        `queue ${config.name}: start workers with  pyramid-nas worker --redis URL --campaign ${config.name}  (or --all)`,
      );
    try {
      const summary = await runCampaign(
        config,
        {
          space,
          createController: () => campaignController(config, space, plan.file),
          queue: run.queue,
          onEvent: (ev) => o.onEvent?.(p, ev),
          ...inputs,
        },
        { dir: p.dir, resume },
      );
      (resume ? result.resumed : result.ran).push(p.id);
      await o.afterCampaign?.(p, summary);
    } finally {
      await run.close();
    }
  }
  return result;
}
