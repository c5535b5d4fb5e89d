// `evaluation.svg`: test AP against the neck's MACs at full width, one point per entry with an error bar of
// ± one sd over seeds. A plain SVG with no script, so it opens anywhere and diffs as text. Graphs of one space
// crowd into a small region, so a name is written only where it overlaps no name already written (baselines
// first, then by test AP); every point keeps its name in its tooltip.
import { escapeXml } from '../graph/render-common.js';
import { chartFrame } from '../util/svg-chart.js';
import type { EntrySummary } from './summary.js';

const W = 720;
const H = 440;
const M = { left: 70, right: 170, top: 40, bottom: 60 };
const COLOURS: Record<EntrySummary['role'], string> = { graph: '#1f77b4', trial: '#d62728', baseline: '#555555' };

export function evaluationSvg(rows: EntrySummary[], title: string): string {
  const pts = rows.filter((r) => Number.isFinite(r.AP.mean));
  const x = (r: EntrySummary) => r.fullWidthCost.macs / 1e9;
  const err = (r: EntrySummary) => (Number.isFinite(r.AP.sd) ? r.AP.sd : 0);
  const xs = pts.map(x);
  const lows = pts.map((r) => 100 * (r.AP.mean - err(r)));
  const highs = pts.map((r) => 100 * (r.AP.mean + err(r)));
  const pad = (lo: number, hi: number) => {
    const d = (hi - lo || Math.max(Math.abs(hi), 1)) * 0.1;
    return [lo - d, hi + d];
  };
  const [x0, x1] = pts.length ? pad(Math.min(...xs), Math.max(...xs)) : [0, 1];
  const [y0, y1] = pts.length ? pad(Math.min(...lows), Math.max(...highs)) : [0, 1];
  const chart = chartFrame({
    width: W,
    height: H,
    margin: M,
    x: [x0, x1],
    y: [y0, y1],
    title,
    xLabel: `neck GMACs at full width (ResNet-50 channels in, ${pts[0]?.fullWidthCost.channels ?? '-'} channels, ${pts[0]?.fullWidthCost.imageSize ?? '-'} px)`,
    yLabel: 'test AP (%), mean ± sd over seeds',
  });
  const { px, py, parts } = chart;
  for (const r of pts) {
    const cx = px(x(r));
    const cy = py(100 * r.AP.mean);
    const colour = COLOURS[r.role];
    const e = 100 * err(r);
    if (e > 0)
      parts.push(
        `<line x1="${cx.toFixed(1)}" y1="${py(100 * r.AP.mean - e).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${py(100 * r.AP.mean + e).toFixed(1)}" stroke="${colour}"/>`,
        `<line x1="${(cx - 4).toFixed(1)}" y1="${py(100 * r.AP.mean - e).toFixed(1)}" x2="${(cx + 4).toFixed(1)}" y2="${py(100 * r.AP.mean - e).toFixed(1)}" stroke="${colour}"/>`,
        `<line x1="${(cx - 4).toFixed(1)}" y1="${py(100 * r.AP.mean + e).toFixed(1)}" x2="${(cx + 4).toFixed(1)}" y2="${py(100 * r.AP.mean + e).toFixed(1)}" stroke="${colour}"/>`,
      );
    parts.push(
      `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="${colour}"><title>${escapeXml(`${r.name}: AP ${(100 * r.AP.mean).toFixed(1)} ± ${Number.isFinite(r.AP.sd) ? (100 * r.AP.sd).toFixed(1) : '–'}, ${x(r).toFixed(2)} GMACs`)}</title></circle>`,
    );
  }
  const placed: Box[] = [];
  for (const r of labelOrder(pts)) {
    const box = labelBox(px(x(r)) + 7, py(100 * r.AP.mean) - 6, r.name);
    if (placed.some((b) => overlaps(b, box))) continue;
    placed.push(box);
    parts.push(
      `<text x="${box.x0.toFixed(1)}" y="${box.baseline.toFixed(1)}" fill="${COLOURS[r.role]}">${escapeXml(r.name)}</text>`,
    );
  }
  const legend: Array<[EntrySummary['role'], string]> = [
    ['trial', 'campaign trial'],
    ['graph', 'graph'],
    ['baseline', 'baseline (projected)'],
  ];
  legend.forEach(([role, text], i) => {
    const ly = M.top + 10 + i * 18;
    parts.push(
      `<circle cx="${W - M.right + 20}" cy="${ly}" r="4" fill="${COLOURS[role]}"/>`,
      `<text x="${W - M.right + 30}" y="${ly + 4}">${text}</text>`,
    );
  });
  return chart.end();
}

interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  baseline: number;
}

/** Baselines first (they are what the others are read against), then the best test AP first. */
function labelOrder(rows: EntrySummary[]): EntrySummary[] {
  const rank = (r: EntrySummary) => (r.role === 'baseline' ? 0 : 1);
  return [...rows].sort((a, b) => rank(a) - rank(b) || b.AP.mean - a.AP.mean);
}

/** The text's extent at the chart's font size (about 6.5 px a character, 12 px high above the baseline). */
function labelBox(x: number, baseline: number, text: string): Box {
  return { x0: x, x1: x + 6.5 * text.length, y0: baseline - 11, y1: baseline + 2, baseline };
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
