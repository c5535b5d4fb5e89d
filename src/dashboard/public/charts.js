// The three plots, drawn by uPlot (canvas): AP over trial index with, per campaign, the AP of its best
// trial so far (best by the campaign's objective, the reward: best.js), and the Pareto fronts of AP
// against the proxy's MACs and params, where dominated trials are dimmed. Each campaign's best trial
// (named by the server in its header) is ringed on all three; its baselines (header.baselines) are a
// dashed line at their AP on the first and a labelled cross at (cost, AP) on the fronts.
// uPlot wants one shared, ascending x array; each campaign's series holds null where a point is not
// its own. Clicking a point calls onPick(row).
import uPlot from '/vendor/uPlot.esm.js';

import { bestSoFar } from './best.js';
import { fmt } from './dom.js';
import { paretoMask } from './pareto.js';

function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

const noPath = () => null;

class Chart {
  constructor(target, onPick) {
    this.target = target;
    this.onPick = onPick;
    this.plot = undefined;
    this.signature = '';
    this.rowsAt = []; // rowsAt[s][x]: the row drawn at data index x of series s
    this.marks = []; // [{ x, y, color }]: rings drawn over the plot (the best trials)
    this.refs = []; // [{ name, y, x?, color }]: baselines, a dashed line at y (AP chart) or a cross at (x, y)
    new ResizeObserver(() => {
      // Observing fires once at start too: only redraw when the width really changed.
      const size = this.size();
      if (this.plot && size.width !== this.plot.width) this.plot.setSize(size);
    }).observe(target);
  }
  size() {
    return { width: Math.max(300, this.target.clientWidth), height: 260 };
  }
  /** (Re)builds the plot when the series change, otherwise only swaps the data (cheap). */
  draw(opts, data, rowsAt, marks = [], refs = []) {
    this.rowsAt = rowsAt;
    this.marks = marks;
    this.refs = refs;
    const sig = opts.series.map((s) => s.label).join('|') + JSON.stringify(opts.scales.x);
    if (this.plot && sig === this.signature) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.signature = sig;
    const pick = (u) => {
      const x = u.cursor.idx;
      if (x === null || x === undefined) return;
      // Several campaigns may have a point at x: take the one nearest the cursor vertically.
      const y = u.posToVal(u.cursor.top, 'y');
      let best,
        dist = Infinity;
      for (let s = 1; s < u.series.length; s++) {
        const v = u.data[s][x];
        const row = this.rowsAt[s]?.[x];
        if (row && v !== null && v !== undefined && Math.abs(v - y) < dist) [best, dist] = [row, Math.abs(v - y)];
      }
      if (best) this.onPick(best);
    };
    this.plot = new uPlot(
      {
        ...this.size(),
        ...opts,
        cursor: { focus: { prox: 16 }, points: { size: 8 } },
        hooks: {
          ready: [(u) => u.over.addEventListener('click', () => pick(u))],
          draw: [(u) => this.drawMarks(u)],
        },
      },
      data,
      this.target,
    );
  }
  drawMarks(u) {
    const ctx = u.ctx;
    const px = devicePixelRatio || 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    for (const m of this.marks) {
      ctx.beginPath();
      ctx.arc(u.valToPos(m.x, 'x', true), u.valToPos(m.y, 'y', true), 8 * px, 0, 2 * Math.PI);
      ctx.strokeStyle = m.color;
      ctx.lineWidth = 2 * px;
      ctx.stroke();
    }
    ctx.font = `${11 * px}px sans-serif`;
    // uPlot leaves its axis labels' alignment on the context.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    for (const r of this.refs) {
      const y = u.valToPos(r.y, 'y', true);
      ctx.strokeStyle = r.color;
      ctx.fillStyle = r.color;
      ctx.lineWidth = 1.5 * px;
      if (r.x === undefined) {
        ctx.setLineDash([6 * px, 4 * px]);
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillText(`${r.name} ${r.y.toFixed(3)}`, u.bbox.left + 4 * px, y - 2 * px);
      } else {
        const x = u.valToPos(r.x, 'x', true);
        const d = 5 * px;
        ctx.beginPath();
        ctx.moveTo(x - d, y - d);
        ctx.lineTo(x + d, y + d);
        ctx.moveTo(x - d, y + d);
        ctx.lineTo(x + d, y - d);
        ctx.stroke();
        ctx.fillText(r.name, x + d + 2 * px, y - 2 * px);
      }
    }
    ctx.restore();
  }
}

/** Each campaign's best row (the server's choice, header.bestTrial) with its colour. */
function bestRows(campaigns) {
  return campaigns.flatMap((c) => {
    const r = c.header.bestTrial === undefined ? undefined : c.rows.find((x) => x.id === c.header.bestTrial);
    return r && r.AP !== undefined ? [{ r, color: c.color }] : [];
  });
}

/** Each campaign's completed baselines (header.baselines), in its colour: the plots' reference marks. */
function baselineRefs(campaigns, key) {
  return campaigns.flatMap((c) =>
    (c.header.baselines ?? [])
      .filter((b) => key === undefined || b[key] > 0)
      .map((b) => ({ name: b.name, y: b.AP, ...(key === undefined ? {} : { x: b[key] }), color: c.color })),
  );
}

/** Legend name of a campaign: its name and controller (the plots compare controllers). */
const who = (h) => (h.controller ? `${h.name} (${h.controller})` : h.name);

function pointSeries(label, color, size, dim) {
  // No series fill: on a series with a line (the front) it would paint the area under it.
  return {
    label,
    stroke: dim ? alpha(color, 0.3) : color,
    width: 0,
    paths: noPath,
    points: { show: true, size, stroke: dim ? alpha(color, 0.3) : color, fill: dim ? alpha(color, 0.15) : color },
  };
}

export class Charts {
  constructor(onPick) {
    this.ap = new Chart(document.getElementById('chart-ap'), onPick);
    this.macs = new Chart(document.getElementById('chart-macs'), onPick);
    this.params = new Chart(document.getElementById('chart-params'), onPick);
  }

  /** campaigns: [{ header, rows, color }] (rows in index order). */
  update(campaigns) {
    this.drawAp(campaigns);
    this.drawFront(this.macs, campaigns, 'macs', 'MACs (proxy)');
    this.drawFront(this.params, campaigns, 'params', 'params (proxy)');
  }

  drawAp(campaigns) {
    const xsSet = new Set();
    for (const c of campaigns) for (const r of c.rows) if (r.st === 'complete' && r.AP !== undefined) xsSet.add(r.i);
    const xs = [...xsSet].sort((a, b) => a - b);
    const pos = new Map(xs.map((x, k) => [x, k]));
    const data = [xs];
    const rowsAt = [null];
    const series = [{ label: 'trial' }];
    for (const c of campaigns) {
      const ap = new Array(xs.length).fill(null);
      const best = new Array(xs.length).fill(null);
      const at = new Array(xs.length).fill(null);
      // The line follows the best trial so far by reward, at that trial's AP (not the highest AP so far).
      const leader = bestSoFar(c.rows);
      c.rows.forEach((r, n) => {
        if (r.st !== 'complete' || r.AP === undefined) return;
        const k = pos.get(r.i);
        ap[k] = r.AP;
        at[k] = r;
        best[k] = leader[n]?.AP ?? null;
      });
      const label = who(c.header);
      series.push(pointSeries(`${label} AP`, c.color, 5, false));
      series.push({
        label: `${label} best (reward) so far: its AP`,
        stroke: c.color,
        width: 2,
        spanGaps: true,
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false },
      });
      data.push(ap, best);
      rowsAt.push(at, at);
    }
    const refs = baselineRefs(campaigns);
    // The y range takes the baselines in, so their lines show even when every trial is above or below them.
    const refLo = Math.min(...refs.map((r) => r.y));
    const refHi = Math.max(...refs.map((r) => r.y));
    this.ap.draw(
      {
        scales: {
          x: { time: false },
          y: {
            range: (_u, lo, hi) => [
              Math.max(0, Math.min(lo ?? refLo, refLo) - 0.02),
              Math.min(1, Math.max(hi ?? refHi, refHi) + (refs.length ? 0.04 : 0.02)), // room for the labels
            ],
          },
        },
        axes: [{ label: 'trial' }, { label: 'AP', values: (_u, ticks) => ticks.map((t) => t.toFixed(2)) }],
        series,
        legend: { show: true, live: false },
      },
      data,
      rowsAt,
      bestRows(campaigns).map(({ r, color }) => ({ x: r.i, y: r.AP, color })),
      refs,
    );
  }

  drawFront(chart, campaigns, key, label) {
    const pts = [];
    campaigns.forEach((c, ci) => {
      const own = c.rows.filter((r) => r.st === 'complete' && r.AP !== undefined && r[key] > 0);
      const mask = paretoMask(own.map((r) => ({ AP: r.AP, cost: r[key] })));
      own.forEach((r, k) => pts.push({ ci, r, front: mask[k] }));
    });
    pts.sort((a, b) => a.r[key] - b.r[key]);
    const xs = pts.map((p) => p.r[key]);
    const data = [xs];
    const rowsAt = [null];
    const series = [{ label }];
    campaigns.forEach((c, ci) => {
      const dom = new Array(xs.length).fill(null);
      const front = new Array(xs.length).fill(null);
      const at = new Array(xs.length).fill(null);
      pts.forEach((p, k) => {
        if (p.ci !== ci) return;
        (p.front ? front : dom)[k] = p.r.AP;
        at[k] = p.r;
      });
      series.push(pointSeries(`${who(c.header)} dominated`, c.color, 5, true));
      series.push({
        ...pointSeries(`${who(c.header)} front`, c.color, 8, false),
        width: 1.5,
        spanGaps: true,
        paths: uPlot.paths.stepped({ align: -1 }),
      });
      data.push(dom, front);
      rowsAt.push(at, at);
    });
    chart.draw(
      {
        scales: { x: { time: false, distr: xs.length > 1 && xs[0] > 0 ? 3 : 1 }, y: {} },
        axes: [
          { label, values: (_u, ticks) => ticks.map((t) => (t === null || t === undefined ? '' : fmt.count(t))) },
          { label: 'AP', values: (_u, ticks) => ticks.map((t) => t.toFixed(2)) },
        ],
        series,
        legend: { show: true, live: false },
      },
      data,
      rowsAt,
      bestRows(campaigns)
        .filter(({ r }) => r[key] > 0)
        .map(({ r, color }) => ({ x: r[key], y: r.AP, color })),
      baselineRefs(campaigns, key),
    );
  }
}
