// The campaign's output files, each written atomically: trials.csv, best.graph.json, pareto.json,
// best.svg, and graphs/<trialId>.graph.json with provenance in `meta`. "Best" is records.ts's ranking.
import { join } from 'node:path';

import { fullScaleCost, renderSvg } from '../graph/index.js';
import type { PyramidGraph } from '../graph/types.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { completedBaselines } from './baselines.js';
import type { ResolvedCampaign } from './config.js';
import { fullWidthCost, proxyCost, proxyShape } from './costs.js';
import { hypervolumeReport } from './hypervolume.js';
import type { BaselineRecord } from './input-events.js';
import { paretoFront } from './pareto.js';
import { bestTrial, ranked, type TrialRecord } from './records.js';
import { rungSteps } from './scheduler/asha.js';

/**
 * The training step a trial's metrics were measured at: with successive halving, the step of the highest
 * rung it completed (a trial stopped at rung 0 has fewer than the full run's); otherwise the proxy task's
 * steps (per run). Undefined when it is not known (no config, or a scheduler's trial with no rung yet).
 */
export function measuredSteps(config: ResolvedCampaign | undefined, r: Pick<TrialRecord, 'rung'>): number | undefined {
  if (!config) return undefined;
  const s = config.scheduler;
  if (!s) return config.proxy.steps;
  return r.rung === undefined ? undefined : rungSteps(s.minSteps, s.maxSteps, s.eta)[r.rung];
}

/**
 * The trial's graph with its provenance in meta (what a user takes away to train at full scale). Costs
 * are labelled: `proxyCost` is what the trial measured at the proxy's width, `fullWidthCost` the cost
 * model's figure for this graph at its own width (both at the proxy's input size), `fullScaleCost` the
 * cost model's at the stated full scale (ResNet-50 in-channels, 256 channels, 640 px). Bare `MACs`/`params`,
 * which older versions wrote from the proxy onto this full-width graph, are dropped when a graph passes
 * through again (export of an older campaign).
 */
export function graphWithProvenance(config: ResolvedCampaign, r: TrialRecord): PyramidGraph {
  if (!r.graph) throw new Error(`trial ${r.trialId} has no graph`);
  const m = r.metrics;
  const { MACs: _legacyMacs, params: _legacyParams, ...meta } = r.graph.meta ?? {};
  const proxy = m ? proxyCost(config.proxy, r.graph, m) : undefined;
  return {
    ...r.graph,
    name: `${config.name}-${r.index}`,
    meta: {
      ...meta,
      campaign: config.name,
      trial: r.trialId,
      index: r.index,
      seed: config.seed,
      space: config.space.name,
      controller: config.controller.kind,
      decisions: r.decisions,
      hash: r.hash,
      status: r.status,
      ...(m
        ? {
            AP: m.AP,
            AP50: m.AP50,
            AP75: m.AP75,
            // The score the search selected it on: `pyramid-nas evaluate` sets it against the test split's.
            heldoutAP: m.AP,
            // The steps its metrics are from: with successive halving, those of the rung it reached.
            proxy: {
              dataset: config.proxy.dataset,
              imageSize: config.proxy.imageSize,
              steps: measuredSteps(config, r) ?? config.proxy.steps,
              ...(r.rung !== undefined ? { rung: r.rung } : {}),
            },
            proxyCost: proxy,
          }
        : {}),
      fullWidthCost: fullWidthCost(r.graph, proxy?.imageSize ?? config.proxy.imageSize),
      fullScaleCost: fullScaleCost(r.graph),
      ...(r.reward !== undefined ? { reward: r.reward } : {}),
      ...(r.error ? { error: r.error } : {}),
    },
  };
}

export function writeTrialGraph(dir: string, config: ResolvedCampaign, r: TrialRecord): void {
  writeJsonAtomic(join(dir, 'graphs', `${r.trialId}.graph.json`), graphWithProvenance(config, r));
}

// Costs are the proxy's, so their columns say so and each row carries the shape they were measured at.
// `rung` and `steps` (what the row's metrics were measured at) came later: they go last so that readers
// that index columns by position keep working.
const CSV_COLUMNS = [
  'index',
  'trialId',
  'status',
  'reward',
  'AP',
  'AP50',
  'AP75',
  'APs',
  'APm',
  'APl',
  'proxyParams',
  'proxyMacs',
  'proxyChannels',
  'proxyRepeats',
  'proxyImageSize',
  'trainSeconds',
  'wallSeconds',
  'worker',
  'hash',
  'error',
  'rung',
  'steps',
] as const;

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function trialsCsv(records: TrialRecord[], config?: ResolvedCampaign): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    if (!r.status) continue; // asked, not told yet
    const m = r.metrics;
    const pc = m && config && r.graph ? proxyCost(config.proxy, r.graph, m) : undefined;
    const row: Record<string, unknown> = {
      index: r.index,
      trialId: r.trialId,
      status: r.status,
      reward: r.reward,
      AP: m?.AP,
      AP50: m?.AP50,
      AP75: m?.AP75,
      APs: m?.APs,
      APm: m?.APm,
      APl: m?.APl,
      proxyParams: m?.params,
      proxyMacs: m?.macs,
      proxyChannels: pc?.channels,
      proxyRepeats: pc?.repeats,
      proxyImageSize: pc?.imageSize,
      trainSeconds: m?.trainSeconds,
      wallSeconds: r.wallSeconds,
      worker: r.worker,
      hash: r.hash,
      error: r.error,
      rung: r.rung,
      steps: measuredSteps(config, r),
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return lines.join('\n') + '\n';
}

export function paretoJson(records: TrialRecord[], config?: ResolvedCampaign, baselines: BaselineRecord[] = []) {
  const done = ranked(records).map((r) => ({
    trialId: r.trialId,
    index: r.index,
    hash: r.hash,
    AP: r.metrics!.AP,
    macs: r.metrics!.macs,
    params: r.metrics!.params,
    reward: r.reward!,
  }));
  const front = (costs: (p: (typeof done)[number]) => number[]) =>
    paretoFront(done.map((p) => ({ ...p, costs: costs(p) })))
      .map(({ costs: _c, ...p }) => p)
      .sort((a, b) => a.macs - b.macs || a.params - b.params);
  return {
    objectives: { maximize: ['AP'], minimize: ['macs', 'params'] },
    /** The campaign's best trial (highest reward), which need not be on a front. */
    best: done[0]?.trialId ?? null,
    apVsMacs: front((p) => [p.macs]),
    apVsParams: front((p) => [p.params]),
    apVsMacsAndParams: front((p) => [p.macs, p.params]),
    // What the macs and params above are: the trials' measured costs at the proxy's shape.
    ...(config ? { costs: { scope: 'neck', ...proxyShape(config.proxy) } } : {}),
    // Of the trials' points (baselines excluded), against the stated reference point (hypervolume.ts).
    hypervolume: {
      apVsMacs: hypervolumeReport(
        done.map((p) => ({ AP: p.AP, cost: p.macs })),
        'macs',
        config?.constraints?.maxMacs,
      ),
      apVsParams: hypervolumeReport(
        done.map((p) => ({ AP: p.AP, cost: p.params })),
        'params',
        config?.constraints?.maxParams,
      ),
    },
    baselines: completedBaselines(baselines).map((b) => ({
      name: b.name,
      trialId: b.trialId,
      hash: b.hash,
      AP: b.metrics.AP,
      macs: b.metrics.macs,
      params: b.metrics.params,
    })),
  };
}

/** Rewrites the summary files from the records (graphs of told trials are written as they are told). */
export function writeSummaries(
  dir: string,
  config: ResolvedCampaign,
  records: TrialRecord[],
  baselines: BaselineRecord[] = [],
): TrialRecord | undefined {
  writeFileAtomic(join(dir, 'trials.csv'), trialsCsv(records, config));
  writeJsonAtomic(join(dir, 'pareto.json'), paretoJson(records, config, baselines));
  const best = bestTrial(records);
  if (best?.graph) {
    const g = graphWithProvenance(config, best);
    writeJsonAtomic(join(dir, 'best.graph.json'), g);
    writeFileAtomic(join(dir, 'best.svg'), renderSvg(g));
  }
  return best;
}
