// A study's campaigns: every campaign of the study file × every seed, each a complete campaign config with
// its own output folder `<out>/campaigns/<name>-s<seed>/` and its own queue name `<study>-<name>-s<seed>`.
// Each is resolved by the campaign file's own resolver and its space and controller built once, so a bad
// study exits 2 before anything runs, with each problem named at its path in the study file.
import { join } from 'node:path';

import { CampaignConfigError, resolveCampaign, type ResolvedCampaign } from '../campaign/config.js';
import { campaignController, campaignSpace } from '../campaign/factory.js';
import type { PathIssue } from '../util/zod-issues.js';
import { type Study, StudyConfigError } from './schema.js';

export interface PlannedCampaign {
  /** The campaign's name in the study file (one curve per name). */
  campaign: string;
  seed: number;
  /** `<name>-s<seed>`: its folder under `<out>/campaigns/`. */
  id: string;
  dir: string;
  config: ResolvedCampaign;
}

export interface StudyPlan {
  study: Study;
  file: string;
  out: string;
  campaigns: PlannedCampaign[];
}

export const CAMPAIGNS_DIR = 'campaigns';

/** The study folder: --out, else the study's `output`, else results/<name>. */
export function studyOut(study: Study, out?: string): string {
  return out ?? study.output ?? join('results', study.name);
}

/** A campaign config's path ($.budget.trials) as the study file's ($.campaigns[2].budget.trials, $.seeds[1]). */
export function studyPath(path: string, campaignIndex: number, seedIndex: number): string {
  const m = /^\$(?:\.([A-Za-z_][A-Za-z0-9_]*))?(.*)$/.exec(path);
  const key = m?.[1];
  const rest = m?.[2] ?? '';
  if (key === undefined) return `$.campaigns[${campaignIndex}]${rest}`;
  if (['space', 'controller', 'scheduler', 'budget', 'name'].includes(key))
    return `$.campaigns[${campaignIndex}].${key}${rest}`;
  if (key === 'seed') return `$.seeds[${seedIndex}]${rest}`;
  return `$.${key}${rest}`;
}

function remap(err: unknown, file: string, ci: number, si: number): never {
  if (err instanceof CampaignConfigError)
    throw new StudyConfigError(
      file,
      err.issues.map((i): PathIssue => ({ path: studyPath(i.path, ci, si), message: i.message })),
    );
  throw err;
}

/** Every campaign × seed, in the study file's order (campaigns outer, seeds inner), resolved and checked. */
export async function planStudy(study: Study, file: string, out?: string): Promise<StudyPlan> {
  const dir = studyOut(study, out);
  const campaigns: PlannedCampaign[] = [];
  for (const [ci, camp] of study.campaigns.entries()) {
    for (const [si, seed] of study.seeds.entries()) {
      const id = `${camp.name}-s${seed}`;
      const first = campaigns.length === 0;
      const name = `${study.name}-${id}`;
      if (name.length > 64)
        throw new StudyConfigError(file, [
          {
            path: `$.campaigns[${ci}].name`,
            message: `the queue name "${name}" is over 64 characters: shorten the study or campaign name`,
          },
        ]);
      const input = {
        name,
        seed,
        space: camp.space,
        controller: camp.controller,
        ...(camp.scheduler ? { scheduler: camp.scheduler } : {}),
        budget: camp.budget,
        proxy: study.proxy,
        objective: study.objective,
        ...(study.concurrency !== undefined ? { concurrency: study.concurrency } : {}),
        ...(study.trialTimeoutSeconds !== undefined ? { trialTimeoutSeconds: study.trialTimeoutSeconds } : {}),
        // Trained once: every campaign shares the proxy task, so their held-out AP is the same everywhere.
        ...(first && study.baselines?.length ? { baselines: study.baselines } : {}),
        output: join(dir, CAMPAIGNS_DIR, id),
      };
      let config: ResolvedCampaign;
      try {
        config = resolveCampaign(input, file);
        const space = campaignSpace(config, file);
        await campaignController(config, space, file);
      } catch (err) {
        remap(err, file, ci, si);
      }
      campaigns.push({ campaign: camp.name, seed, id, dir: config.output, config });
    }
  }
  return { study, file, out: dir, campaigns };
}
