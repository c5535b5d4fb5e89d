// A synthetic campaign folder for the dashboard's tests, benchmark and screenshot: a real journal (written
// with the campaign's own Journal writer, in the format the campaign writes) of trials sampled from a
// real search space (width and depth varied per trial), with real costs (graphCost) and made-up but plausible AP (better with more MACs,
// improving over the run, with noise), some failures, and graphs/<trialId>.graph.json for told trials.
// Not a stand-in for the campaign: only a fixture generator. Deterministic from the seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import seedrandom from 'seedrandom';

import { getSpace } from '../../search-spaces/index.js';
import { writeJsonAtomic } from '../campaign/atomic.js';
import { resolveCampaign, type ResolvedCampaign } from '../campaign/config.js';
import { Journal, type JournalEvent, type ToldEvent } from '../campaign/journal.js';
import { graphCost, graphHash } from '../graph/index.js';
import type { PyramidGraph } from '../graph/types.js';
import type { TrialMetrics } from '../trial/types.js';

export interface SyntheticCampaignOptions {
  name: string;
  trials: number;
  /** Trials asked but not told at the end (still running). Default 0. */
  running?: number;
  /** Budget in trials (default: trials + running). */
  budget?: number;
  controller?: 'random' | 'evolution' | 'rl';
  seed?: number;
  /** Fraction of failed trials (default 0.04). */
  failRate?: number;
  /** Write graphs/<trialId>.graph.json for told trials (default true). */
  graphs?: boolean;
  finished?: boolean;
  /**
   * 'journal' (default): the campaign's Journal writer, one fsync'd append per event, as a campaign writes.
   * 'bulk': the same lines in one write (a 1,000-trial fixture in milliseconds rather than seconds).
   */
  writer?: 'journal' | 'bulk';
}

export interface SyntheticTrial {
  index: number;
  trialId: string;
  decisions: number[];
  graph: PyramidGraph;
  hash: string;
}

/** The config a campaign with these options would journal. */
export function syntheticConfig(o: SyntheticCampaignOptions, dir: string): ResolvedCampaign {
  return resolveCampaign({
    name: o.name,
    seed: o.seed ?? 1,
    space: { name: 'nas-fpn', options: {} },
    controller: { kind: o.controller ?? 'evolution', options: {} },
    budget: { trials: o.budget ?? o.trials + (o.running ?? 0) },
    concurrency: 2,
    output: dir,
  });
}

/** Trial k of a synthetic campaign: a decision sequence sampled from the space and its graph. */
export function syntheticTrials(o: SyntheticCampaignOptions, count: number): SyntheticTrial[] {
  const space = getSpace('nas-fpn');
  const rng = seedrandom(`trials:${o.seed ?? 1}:${o.name}`);
  const out: SyntheticTrial[] = [];
  for (let index = 0; index < count; index++) {
    const decisions = space.sample(rng);
    // Width and depth vary per trial (as if the space searched them too), so costs spread out and the
    // Pareto plots have a front to show.
    const graph = {
      ...space.decode(decisions),
      channels: [32, 48, 64, 96, 128][Math.floor(rng() * 5)],
      repeats: 1 + Math.floor(rng() * 3),
    };
    out.push({ index, trialId: `${o.name}-${index}`, decisions, graph, hash: graphHash(graph) });
  }
  return out;
}

/** A told event for a trial: complete with plausible metrics, or failed. */
export function syntheticTold(
  o: SyntheticCampaignOptions,
  t: SyntheticTrial,
  rng: () => number,
  elapsed: number,
): ToldEvent {
  const worker = `gpu-box-${1 + Math.floor(rng() * 3)}:${4000 + Math.floor(rng() * 9)}`;
  const wallSeconds = 40 + rng() * 80;
  if (rng() < (o.failRate ?? 0.04)) {
    return {
      type: 'told',
      index: t.index,
      trialId: t.trialId,
      status: 'failed',
      error: 'TrainingError NAN_LOSS: loss became NaN at step 212 (after 3 attempts)',
      reward: 0,
      wallSeconds,
      worker,
      elapsed,
    };
  }
  const cost = graphCost(t.graph, { inputSize: 128 });
  const progress = Math.min(1, t.index / Math.max(1, o.trials));
  const trend = (o.controller ?? 'evolution') === 'random' ? 0 : 0.06 * progress;
  const AP = Math.max(0.01, Math.min(0.6, 0.12 + 0.035 * Math.log10(cost.macs / 1e5) + trend + (rng() - 0.5) * 0.08));
  const metrics: TrialMetrics = {
    AP,
    AP50: Math.min(1, AP * 1.7),
    AP75: AP * 0.95,
    APs: AP * 0.55,
    APm: AP * 1.05,
    APl: Math.min(1, AP * 1.35),
    params: cost.params,
    macs: cost.macs,
    trainSeconds: wallSeconds * 0.9,
    evalSeconds: wallSeconds * 0.1,
    backend: 'wasm',
  };
  return {
    type: 'told',
    index: t.index,
    trialId: t.trialId,
    status: 'complete',
    metrics,
    reward: AP,
    wallSeconds,
    worker,
    elapsed,
  };
}

/** Writes results-like folder `dir` (journal.jsonl, campaign.json, graphs/); returns what it wrote. */
export function writeSyntheticCampaign(
  dir: string,
  o: SyntheticCampaignOptions,
): { config: ResolvedCampaign; trials: SyntheticTrial[]; events: JournalEvent[] } {
  mkdirSync(join(dir, 'graphs'), { recursive: true });
  const config = syntheticConfig(o, dir);
  writeJsonAtomic(join(dir, 'campaign.json'), config);
  const running = o.running ?? 0;
  const trials = syntheticTrials(o, o.trials + running);
  const rng = seedrandom(`told:${o.seed ?? 1}:${o.name}`);
  const journalPath = join(dir, 'journal.jsonl');
  const journal = o.writer === 'bulk' ? undefined : new Journal(journalPath);
  const events: JournalEvent[] = [];
  const add = (ev: JournalEvent) => {
    journal?.append(ev);
    events.push(ev);
  };
  try {
    add({ type: 'campaign-started', time: new Date(Date.UTC(2026, 10, 24, 12)).toISOString(), config });
    let elapsed = 0;
    for (const t of trials) {
      add({ type: 'asked', index: t.index, trialId: t.trialId, decisions: t.decisions, hash: t.hash });
      if (t.index >= o.trials) continue;
      elapsed += 30 + rng() * 30;
      const told = syntheticTold(o, t, rng, Math.round(elapsed * 10) / 10);
      add(told);
      if (o.graphs ?? true) {
        writeJsonAtomic(join(dir, 'graphs', `${t.trialId}.graph.json`), {
          ...t.graph,
          name: `${o.name}-${t.index}`,
          meta: {
            campaign: o.name,
            trial: t.trialId,
            status: told.status,
            ...(told.metrics ? { AP: told.metrics.AP } : {}),
          },
        });
      }
    }
    if (o.finished)
      add({
        type: 'campaign-finished',
        time: new Date(Date.UTC(2026, 10, 24, 18)).toISOString(),
        reason: 'trials',
        asked: trials.length,
        told: o.trials,
      });
  } finally {
    journal?.close();
  }
  if (!journal) writeFileSync(journalPath, events.map((e) => JSON.stringify(e) + '\n').join(''));
  return { config, trials, events };
}
