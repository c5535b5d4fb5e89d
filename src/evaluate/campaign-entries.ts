// The best K trials of a campaign as evaluation entries, each with the held-out AP it was selected on. Kept
// apart from entries.ts so that evaluating graph files never loads the campaign modules.
import { join } from 'node:path';

import type { ResolvedCampaign } from '../campaign/config.js';
import { readCampaignDir } from '../campaign/dir.js';
import { campaignSpace } from '../campaign/factory.js';
import { ranked } from '../campaign/records.js';
import { graphHash, parseGraph } from '../graph/index.js';
import { type EvalEntry, type Levels, requireLevels } from './entries.js';
import { EvaluateError } from './errors.js';

export interface CampaignEntries {
  config: ResolvedCampaign;
  entries: EvalEntry[];
}

/** The best `top` complete trials of a campaign (by its objective), each with the held-out AP it had. */
export function campaignEntries(dir: string, top: number, levels?: Levels): CampaignEntries {
  const d = readCampaignDir(dir);
  const best = ranked(d.records).slice(0, top);
  if (best.length === 0)
    throw new EvaluateError('BAD_EVALUATION_INPUT', `${dir}: no completed trial to evaluate yet`, { file: dir });
  let space: ReturnType<typeof campaignSpace> | undefined;
  const entries = best.map((r): EvalEntry => {
    const decoded = r.graph ?? (space ??= campaignSpace(d.config)).decode(r.decisions);
    const parsed = parseGraph(decoded);
    if (!parsed.ok) throw new EvaluateError('BAD_EVALUATION_INPUT', `${dir}: trial ${r.trialId} has an invalid graph`);
    const graph = { ...parsed.graph, name: r.trialId };
    const source = `${join(dir, 'graphs', `${r.trialId}.graph.json`)}`;
    requireLevels(graph, levels ?? graph.levels, source);
    return { name: r.trialId, role: 'trial', source, graph, hash: graphHash(graph), heldoutAP: r.metrics?.AP };
  });
  return { config: d.config, entries };
}
