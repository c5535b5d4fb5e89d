// The evaluation as a text table (stdout): one row per entry, best test AP first.
import type { EntrySummary } from './summary.js';
import type { EvaluationTask } from './task.js';

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : '–');
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}` : '–');
const millions = (x: number) => (x / 1e6 >= 100 ? (x / 1e6).toFixed(0) : (x / 1e6).toFixed(2));
const giga = (x: number) => (x / 1e9 >= 100 ? (x / 1e9).toFixed(0) : (x / 1e9).toFixed(2));

/** Entries best first by mean test AP (entries with no finished seed last, in their order). */
export function byTestAp(rows: EntrySummary[]): EntrySummary[] {
  return [...rows].sort((a, b) => {
    const x = Number.isFinite(a.AP.mean) ? a.AP.mean : -Infinity;
    const y = Number.isFinite(b.AP.mean) ? b.AP.mean : -Infinity;
    return y - x;
  });
}

export function evaluationTable(rows: EntrySummary[], task: EvaluationTask): string {
  const head = [
    'graph',
    'seeds',
    'AP (test)',
    'AP50',
    'APs',
    'APm',
    'APl',
    'held-out AP',
    'held-out − test',
    'params proxy',
    'MMACs proxy',
    'params full',
    'GMACs full',
  ];
  const body = byTestAp(rows).map((r) => [
    r.name,
    `${r.seedsDone}/${task.seeds}`,
    `${pct(r.AP.mean)} ± ${pct(r.AP.sd)}`,
    pct(r.AP50),
    pct(r.APs),
    pct(r.APm),
    pct(r.APl),
    r.heldoutAP === undefined ? '' : pct(r.heldoutAP),
    r.heldoutMinusTest === undefined ? '' : signed(r.heldoutMinusTest),
    `${millions(r.proxyCost.params)}M`,
    (r.proxyCost.macs / 1e6).toFixed(1),
    `${millions(r.fullWidthCost.params)}M`,
    giga(r.fullWidthCost.macs),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const first = rows[0];
  const p = task.proxy;
  const notes = [
    `test split: ${task.testImages} images of ${p.dataset} at ${p.imageSize} px, never read by a campaign; ` +
      `AP in % as mean ± sd over seeds (sd: n−1)`,
    `training: ${p.steps} steps × ${p.batchSize} (budget ×${task.budget}), ${task.seeds} seed(s) per graph, ` +
      `same data for every seed`,
    first
      ? `costs of the neck: proxy = ${first.proxyCost.channels} channels, repeats ≤ ${p.maxRepeats}, ${p.imageSize} px, ` +
        `proxy backbone; full = ${first.fullWidthCost.channels} channels, ${first.fullWidthCost.imageSize} px, ` +
        `ResNet-50 backbone channels, the graph's own repeats`
      : '',
  ].filter(Boolean);
  return [line(head), ...body.map(line), '', ...notes].join('\n') + '\n';
}
