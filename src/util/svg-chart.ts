// The frame both result charts share (evaluation.svg, the study's curves): a plain SVG with no script or
// external font, a title, two axes with round ticks and light grid lines, and axis labels. The caller adds
// its marks with `px`/`py` and closes the document with `end()`.
import { escapeXml } from '../graph/render-common.js';

/** Round tick values (steps of 1, 2 or 5 × a power of ten) spanning [lo, hi]. */
export function niceTicks(lo: number, hi: number, wanted = 6): number[] {
  const span = hi > lo ? hi - lo : 1;
  const base = 10 ** Math.floor(Math.log10(span / wanted));
  const step = [1, 2, 5, 10].map((k) => k * base).find((s) => span / s <= wanted) ?? 10 * base;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

export interface ChartFrame {
  /** Data → pixel coordinates (one decimal is enough in SVG text). */
  px(v: number): number;
  py(v: number): number;
  /** The document so far; push marks onto it. */
  parts: string[];
  /** The finished SVG text. */
  end(): string;
}

export interface ChartSpec {
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
  x: [number, number];
  y: [number, number];
  title: string;
  xLabel: string;
  yLabel: string;
}

export function chartFrame(spec: ChartSpec): ChartFrame {
  const { width: W, height: H, margin: M } = spec;
  const [x0, x1] = spec.x;
  const [y0, y1] = spec.y;
  const px = (v: number) => M.left + ((v - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const f = (v: number) => v.toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(spec.title)}</text>`,
  ];
  for (const t of niceTicks(y0, y1)) {
    if (t < y0 || t > y1) continue;
    parts.push(
      `<line x1="${M.left}" y1="${f(py(t))}" x2="${W - M.right}" y2="${f(py(t))}" stroke="#e4e4e4"/>`,
      `<text x="${M.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1)) {
    if (t < x0 || t > x1) continue;
    parts.push(
      `<line x1="${f(px(t))}" y1="${H - M.bottom}" x2="${f(px(t))}" y2="${H - M.bottom + 5}" stroke="black"/>`,
      `<text x="${f(px(t))}" y="${H - M.bottom + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  parts.push(
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 16}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  return { px, py, parts, end: () => [...parts, '</svg>'].join('\n') + '\n' };
}
