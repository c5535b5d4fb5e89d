// The numbers of an evaluation, per entry: test AP mean ± sd over seeds, the other COCO metrics' means,
// costs at the proxy's width and at a stated full width, and, where the entry was selected on a held-out
// AP, held-out minus test (what selecting the best of many on one split adds to its score).
import { FULL_SCALE, graphCost, PROXY_BACKBONE_CHANNELS } from '../graph/cost.js';
import type { PyramidGraph } from '../graph/types.js';
import type { EvalEntry } from './entries.js';
import { type EvalRecord, recordKey } from './journal.js';
import type { EvaluationTask } from './task.js';

/** The full-size setting of the second cost columns: FULL_SCALE's ResNet-50 in-channels, this width and input. */
export interface FullWidth {
  channels: number;
  imageSize: number;
}

export interface CostFigure {
  channels: number;
  repeats: number;
  imageSize: number;
  backbone: 'proxy' | 'resnet50';
  params: number;
  macs: number;
}

export interface MeanSd {
  mean: number;
  sd: number;
  values: number[];
}

export interface EntrySummary {
  name: string;
  role: EvalEntry['role'];
  source: string;
  hash: string;
  levels: { min: number; max: number };
  seedsDone: number;
  AP: MeanSd;
  AP50: number;
  AP75: number;
  APs: number;
  APm: number;
  APl: number;
  proxyCost: CostFigure;
  fullWidthCost: CostFigure;
  heldoutAP?: number;
  /** heldoutAP − mean test AP (the selection bias, plus the budget difference if the budgets differ). */
  heldoutMinusTest?: number;
  trainSeconds: number;
}

export function meanSd(values: number[]): MeanSd {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd, values };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function costFigures(
  graph: PyramidGraph,
  task: EvaluationTask,
  full: FullWidth,
): { proxy: CostFigure; full: CostFigure } {
  // The graph as the proxy trains it (src/train/session.ts proxyGraph), without loading the trainer.
  const p = { ...graph, channels: task.proxy.channels, repeats: Math.min(graph.repeats, task.proxy.maxRepeats) };
  const pc = graphCost(p, { inputSize: task.proxy.imageSize, backboneChannels: PROXY_BACKBONE_CHANNELS });
  const f = { ...graph, channels: full.channels };
  const fc = graphCost(f, { inputSize: full.imageSize, backboneChannels: FULL_SCALE.backboneChannels });
  return {
    proxy: {
      channels: p.channels,
      repeats: p.repeats,
      imageSize: task.proxy.imageSize,
      backbone: 'proxy',
      params: pc.params,
      macs: pc.macs,
    },
    full: {
      channels: full.channels,
      repeats: f.repeats,
      imageSize: full.imageSize,
      backbone: 'resnet50',
      params: fc.params,
      macs: fc.macs,
    },
  };
}

export function summarize(
  entries: EvalEntry[],
  records: EvalRecord[],
  task: EvaluationTask,
  full: FullWidth,
): EntrySummary[] {
  const byKey = new Map(records.map((r) => [recordKey(r), r]));
  return entries.map((e) => {
    const done: EvalRecord[] = [];
    for (let seed = 0; seed < task.seeds; seed++) {
      const r = byKey.get(recordKey({ hash: e.hash, task: task.hash, seed }));
      if (r) done.push(r);
    }
    // COCO writes −1 for a metric with no ground truth (no large objects at 32 px): undefined, not −100%.
    const m = (k: 'AP50' | 'AP75' | 'APs' | 'APm' | 'APl') => {
      const values = done.map((r) => r.metrics[k]);
      return values.some((v) => v < 0) ? NaN : mean(values);
    };
    const ap = meanSd(done.map((r) => r.metrics.AP));
    const costs = costFigures(e.graph, task, full);
    return {
      name: e.name,
      role: e.role,
      source: e.source,
      hash: e.hash,
      levels: { ...e.graph.levels },
      seedsDone: done.length,
      AP: ap,
      AP50: m('AP50'),
      AP75: m('AP75'),
      APs: m('APs'),
      APm: m('APm'),
      APl: m('APl'),
      proxyCost: costs.proxy,
      fullWidthCost: costs.full,
      ...(e.heldoutAP !== undefined
        ? { heldoutAP: e.heldoutAP, ...(done.length ? { heldoutMinusTest: e.heldoutAP - ap.mean } : {}) }
        : {}),
      trainSeconds: done.reduce((a, r) => a + r.metrics.trainSeconds, 0),
    };
  });
}
