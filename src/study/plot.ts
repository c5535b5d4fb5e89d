// The study's curves as self-contained SVG (no script, no external font or style), like evaluation.svg:
// one line per campaign (the median over seeds) inside a shaded min–max band, with the baselines'
// held-out AP as dashed horizontal reference lines, each labelled at its right end.
import { escapeXml } from '../graph/render-common.js';
import { chartFrame } from '../util/svg-chart.js';

export interface BandPoint {
  x: number;
  median: number;
  min: number;
  max: number;
}

export interface BandSeries {
  name: string;
  points: BandPoint[];
}

export interface ReferenceLine {
  name: string;
  y: number;
}

const W = 760;
const H = 460;
const M = { left: 64, right: 190, top: 40, bottom: 56 };
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];

export function bandSvg(
  series: BandSeries[],
  refs: ReferenceLine[],
  labels: { title: string; x: string; y: string },
): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = [...all.flatMap((p) => [p.min, p.max]), ...refs.map((r) => r.y)];
  const x0 = xs.length ? Math.min(0, ...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  const yPad = ys.length ? (Math.max(...ys) - Math.min(...ys) || 1) * 0.08 : 0;
  const y0 = ys.length ? Math.min(...ys) - yPad : 0;
  const y1 = ys.length ? Math.max(...ys) + yPad : 1;
  const chart = chartFrame({
    width: W,
    height: H,
    margin: M,
    x: [x0, x1],
    y: [y0, y1],
    title: labels.title,
    xLabel: labels.x,
    yLabel: labels.y,
  });
  const { px, py, parts: out } = chart;
  const f = (v: number) => v.toFixed(1);
  let legendY = M.top + 4;
  const legend = (colour: string, name: string) => {
    out.push(
      `<line x1="${W - M.right + 12}" y1="${legendY}" x2="${W - M.right + 34}" y2="${legendY}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${W - M.right + 40}" y="${legendY + 4}">${escapeXml(name)}</text>`,
    );
    legendY += 18;
  };
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    if (s.points.length > 0) {
      const upper = s.points.map((p) => `${f(px(p.x))},${f(py(p.max))}`);
      const lower = [...s.points].reverse().map((p) => `${f(px(p.x))},${f(py(p.min))}`);
      out.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.15" stroke="none"/>`,
        `<polyline points="${s.points.map((p) => `${f(px(p.x))},${f(py(p.median))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      );
    }
    legend(colour, s.name);
  });
  for (const r of refs) {
    out.push(
      `<line x1="${M.left}" y1="${f(py(r.y))}" x2="${W - M.right}" y2="${f(py(r.y))}" stroke="#555" stroke-dasharray="5 3"/>`,
      `<text x="${W - M.right - 4}" y="${f(py(r.y) - 4)}" text-anchor="end" fill="#555">${escapeXml(r.name)}</text>`,
    );
  }
  return chart.end();
}
