// What a campaign brings besides its space and controller, resolved and checked before anything is
// written: the warm-start seeds (seed-graphs.ts), the baselines (baselines.ts), and whether the controller
// can honour the seeds and the constraints (constraints.ts). Also how the baselines read in the summary.
import type { Controller } from '../../controllers/types.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import { type BaselineGraph, overBaselinesText, resolveBaselines } from './baselines.js';
import { CampaignConfigError, type ResolvedCampaign } from './config.js';
import type { BaselineRecord, SeedGraph } from './input-events.js';
import { resolveSeedGraphs } from './seed-graphs.js';

export interface CampaignInputs {
  seedGraphs?: SeedGraph[];
  baselines?: BaselineGraph[];
}

/**
 * Checks the controller against the campaign's seeds and constraints and, for a fresh campaign, resolves
 * the seeds and baselines (a resumed one takes them from its journal). Every problem exits 2.
 */
export async function resolveCampaignInputs(
  config: ResolvedCampaign,
  space: SearchSpace,
  file: string,
  controller: Controller,
  resume: boolean,
): Promise<CampaignInputs> {
  if (config.seedGraphs?.length && !controller.warmStart)
    throw new CampaignConfigError(file, [
      { path: '$.seedGraphs', message: `controller "${controller.kind}" has no warm start (warmStart())` },
    ]);
  if (config.constraints && !controller.constrain)
    throw new CampaignConfigError(file, [
      { path: '$.constraints', message: `controller "${controller.kind}" cannot honour constraints (constrain())` },
    ]);
  if (resume) return {};
  return {
    seedGraphs: await resolveSeedGraphs(config, space, file),
    baselines: await resolveBaselines(config, space, file),
  };
}

/** The summary's baseline lines: each baseline's AP and how the best trial compares. */
export function baselineLines(baselines: readonly BaselineRecord[], bestAP: number | undefined): string[] {
  return baselines.map((b) => {
    if (b.status !== 'complete' || !b.metrics)
      return `baseline ${b.name}: ${b.status ?? 'not told'}${b.error ? ` (${b.error})` : ''}`;
    const vs = overBaselinesText(bestAP, [{ name: b.name, AP: b.metrics.AP }]);
    return `baseline ${b.name}: AP ${b.metrics.AP.toFixed(4)}, ${(b.metrics.macs / 1e6).toFixed(1)} MMACs${vs ? ` (best ${vs})` : ''}`;
  });
}
