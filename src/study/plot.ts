// The study's curves as self-contained SVG (no script, no external font or style), like evaluation.svg:
// one line per campaign (the median over seeds) inside a shaded min–max band, with the baselines'
// held-out AP as dashed horizontal reference lines, each labelled at its right end.
import { escapeXml } from '../graph/render-common.js';

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

/** Round tick values (steps of 1, 2 or 5 × a power of ten) spanning [lo, hi]. */
export function niceTicks(lo: number, hi: number, wanted = 6): number[] {
  const span = hi > lo ? hi - lo : 1;
  const base = 10 ** Math.floor(Math.log10(span / wanted));
  const step = [1, 2, 5, 10].map((k) => k * base).find((s) => span / s <= wanted) ?? 10 * base;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

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
  const px = (v: number) => M.left + ((v - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(labels.title)}</text>`,
  ];
  for (const t of niceTicks(y0, y1)) {
    if (t < y0 || t > y1) continue;
    out.push(
      `<line x1="${M.left}" y1="${f(py(t))}" x2="${W - M.right}" y2="${f(py(t))}" stroke="#e4e4e4"/>`,
      `<text x="${M.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1)) {
    if (t < x0 || t > x1) continue;
    out.push(
      `<line x1="${f(px(t))}" y1="${H - M.bottom}" x2="${f(px(t))}" y2="${H - M.bottom + 5}" stroke="black"/>`,
      `<text x="${f(px(t))}" y="${H - M.bottom + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 16}" text-anchor="middle">${escapeXml(labels.x)}</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(labels.y)}</text>`,
  );
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
  out.push('</svg>');
  return out.join('\n') + '\n';
}
