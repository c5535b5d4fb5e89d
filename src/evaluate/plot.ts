// `evaluation.svg`: test AP against the neck's MACs at full width, one point per entry with an error bar of
// ± one sd over seeds. A plain SVG with no script, so it opens anywhere and diffs as text.
import { escapeXml } from '../graph/render-common.js';
import type { EntrySummary } from './summary.js';

const W = 720;
const H = 440;
const M = { left: 70, right: 170, top: 40, bottom: 60 };
const COLOURS: Record<EntrySummary['role'], string> = { graph: '#1f77b4', trial: '#d62728', baseline: '#555555' };

/** "Nice" tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

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
  const px = (v: number) => M.left + ((v - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`,
  ];
  for (const t of ticks(x0, x1)) {
    if (t < x0 || t > x1) continue;
    parts.push(
      `<line x1="${px(t).toFixed(1)}" y1="${H - M.bottom}" x2="${px(t).toFixed(1)}" y2="${H - M.bottom + 5}" stroke="black"/>`,
      `<text x="${px(t).toFixed(1)}" y="${H - M.bottom + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  for (const t of ticks(y0, y1)) {
    if (t < y0 || t > y1) continue;
    parts.push(
      `<line x1="${M.left - 5}" y1="${py(t).toFixed(1)}" x2="${W - M.right}" y2="${py(t).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${M.left - 8}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`,
    );
  }
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">neck GMACs at full width (ResNet-50 channels in, ${pts[0]?.fullWidthCost.channels ?? '-'} channels, ${pts[0]?.fullWidthCost.imageSize ?? '-'} px)</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">test AP (%), mean ± sd over seeds</text>`,
  );
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
      `<text x="${(cx + 7).toFixed(1)}" y="${(cy - 6).toFixed(1)}" fill="${colour}">${escapeXml(r.name)}</text>`,
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
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
