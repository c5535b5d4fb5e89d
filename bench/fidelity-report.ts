// The table and summary lines of bench/fidelity.bench.ts, from the rows of a results file: AP per graph at the
// lowest and the highest budget (mean ± sd over seeds when there are several), rank correlations between the
// two over the sets of graphs that matter (above all what a search sees: the zoo, the single-level baselines
// and random samples of the space), whether FPN beats the baseline, the pyramid gap and whether seed noise
// is small against it, and whether the order the literature reports holds.
import type { ProxyTask } from '../src/trial/proxy-task.js';
import { kendallTauB, spearman } from '../src/util/rank-correlation.js';

export interface Row {
  graph: string;
  /** Canonical hash of the graph trained (rows written before it was stored lack it). */
  graphHash?: string;
  budget: number;
  seed: number;
  task: string;
  AP: number;
  runAPs?: number[];
  AP50: number;
  APs: number;
  APm: number;
  seconds: number;
  trainSeconds: number;
  evalSeconds: number;
  params: number;
  macs: number;
}

/** Random samples of the nas-fpn space are named `nas-fpn-sample-NN`. */
export const SAMPLE_PREFIX = 'nas-fpn-sample-';
export const sampleIndex = (name: string): number | undefined => {
  const m = /^nas-fpn-sample-(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

export interface ReportInput {
  /** Rows of the task measured, already checked against the graphs they name. */
  rows: Row[];
  base: ProxyTask;
  budgets: number[];
  seeds: number[];
  /** With --reference FILE: FILE's name and its rows; the second column is its top budget. */
  reference?: { file: string; rows: Row[] };
  /** The zoo's graph names (the search-spaces/zoo files). */
  zoo: string[];
}

const SINGLES = ['single-level-c3', 'single-level-c4', 'single-level-c5'];
const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN);
const sd = (v: number[]) => {
  const m = mean(v);
  return v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) : NaN;
};
const median = (v: number[]) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const pct = (v: number) => (Number.isFinite(v) ? (v * 100).toFixed(2) : '—');

export function printReport({ rows: taskRows, base, budgets, seeds, reference, zoo }: ReportInput): void {
  let rows = taskRows;
  const [b1, b2] = reference ? [Math.min(...budgets), -1] : [Math.min(...budgets), Math.max(...budgets)];
  let lab2 = `×${b2}`;
  if (reference) {
    const top = Math.max(...reference.rows.map((r) => r.budget));
    lab2 = `${reference.file} ×${top}`;
    rows = rows
      .filter((r) => r.budget === b1)
      .concat(reference.rows.filter((r) => r.budget === top).map((r) => ({ ...r, budget: b2 })));
  }
  const names = [...new Set(rows.filter((r) => r.budget === b1).map((r) => r.graph))];
  const apsOf = (g: string, b: number) => rows.filter((r) => r.graph === g && r.budget === b).map((r) => r.AP);
  const meanAp = (g: string, b: number) => mean(apsOf(g, b));
  /** The AP cell: the mean over seeds, with their sd when there are several. */
  const apCell = (g: string, b: number) => {
    const v = apsOf(g, b);
    return v.length > 1 ? `${pct(mean(v))} ± ${pct(sd(v))}` : pct(mean(v));
  };
  /** AP of one run (index r) of a graph at a budget, averaged over seeds; NaN where rows lack per-run APs. */
  const runAp = (g: string, b: number, r: number) =>
    mean(
      rows.filter((x) => x.graph === g && x.budget === b && x.runAPs && x.runAPs.length > r).map((x) => x.runAPs![r]),
    );
  const runsOf = (g: string, b: number) =>
    rows.filter((x) => x.graph === g && x.budget === b).flatMap((x) => x.runAPs ?? [x.AP]);
  console.log(
    `proxy task: ${JSON.stringify({ ...base, steps: undefined })}, steps ${base.steps} (×${b1}) vs ${reference ? lab2 : `${base.steps * b2} (×${b2})`}, seeds ${seeds.join(',')}`,
  );
  console.log(`| graph | AP ×${b1} | runs ×${b1} | AP ${lab2} | runs ${lab2} | median trial s ×${b1} |`);
  console.log('|---|---|---|---|---|---|');
  const order = [...names].sort((x, y) => (meanAp(y, b2) || 0) - (meanAp(x, b2) || 0));
  for (const g of order) {
    const secs = median(rows.filter((r) => r.graph === g && r.budget === b1).map((r) => r.seconds));
    console.log(
      `| ${g} | ${apCell(g, b1)} | ${runsOf(g, b1).map(pct).join(', ')} | ${apCell(g, b2)} | ${runsOf(g, b2).map(pct).join(', ')} | ${Number.isFinite(secs) ? secs.toFixed(1) : '—'} |`,
    );
  }
  /** The budgets compared, each once (a single `--budgets 1` is one column, not two). */
  const budgetColumns: Array<readonly [number, string]> =
    b1 === b2
      ? [[b1, `×${b1}`]]
      : [
          [b1, `×${b1}`],
          [b2, lab2],
        ];
  /** The graphs of `set` measured at both budgets (x: the low column), for a rank correlation. */
  const paired = (set: string[], x: (g: string) => number) =>
    set.filter((g) => Number.isFinite(x(g)) && Number.isFinite(meanAp(g, b2)));
  const rho = (set: string[], x: (g: string) => number) => {
    const ok = paired(set, x);
    return ok.length >= 3
      ? `${spearman(
          ok.map(x),
          ok.map((g) => meanAp(g, b2)),
        ).toFixed(3)} (${ok.length} graphs)`
      : '—';
  };
  const rhoTau = (set: string[]) => {
    const ok = paired(set, (g) => meanAp(g, b1));
    if (ok.length < 3) return `— (${ok.length} graph${ok.length === 1 ? '' : 's'})`;
    const [lo, hi] = [ok.map((g) => meanAp(g, b1)), ok.map((g) => meanAp(g, b2))];
    return `ρ ${spearman(lo, hi).toFixed(3)}, τ ${kendallTauB(lo, hi).toFixed(3)} (${ok.length} graphs)`;
  };
  const samples = names.filter((g) => sampleIndex(g) !== undefined);
  const zooHere = names.filter((g) => zoo.includes(g));
  // The old reference set: every zoo graph plus the single-level C4 baseline (C3, C5 and samples are extra rows).
  const referenceSet = names
    .filter((g) => !SINGLES.includes(g) || g === 'single-level-c4')
    .filter((g) => !samples.includes(g));
  const searchSees = names.filter((g) => zooHere.includes(g) || SINGLES.includes(g) || samples.includes(g));
  console.log(
    `Spearman ρ (×${b1} vs ${lab2}), every graph: ${rho(names, (g) => meanAp(g, b1))}; zoo + C4 baseline: ${rho(referenceSet, (g) => meanAp(g, b1))}`,
  );
  const maxRuns = Math.max(0, ...rows.filter((r) => r.budget === b1).map((r) => r.runAPs?.length ?? 0));
  for (let r = 0; maxRuns > 1 && r < maxRuns; r++) {
    console.log(
      `  ×${b1} run ${r} alone vs ${lab2} mean: every graph ${rho(names, (g) => runAp(g, b1, r))}; zoo + C4: ${rho(referenceSet, (g) => runAp(g, b1, r))}`,
    );
  }
  if (b1 !== b2) {
    console.log(`rank correlation ×${b1} vs ${lab2} (Spearman ρ, Kendall τ-b), mean AP over seeds:`);
    console.log(`  every graph: ${rhoTau(names)}`);
    console.log(
      `  what the search sees (zoo + single-level C3/C4/C5 + ${samples.length} nas-fpn samples): ${rhoTau(searchSees)}`,
    );
    console.log(`  nas-fpn samples alone: ${rhoTau(samples)}`);
    console.log(`  zoo + C4 (the earlier reference set): ${rhoTau(referenceSet)}`);
  }
  // How well one seed's ranking predicts another's at the same budget: the floor under any ×1-vs-×5 figure.
  const seedsHere = [...new Set(rows.filter((r) => r.budget === b1).map((r) => r.seed))].sort((x, y) => x - y);
  if (seedsHere.length >= 2) {
    const [sa, sb] = seedsHere;
    const apAt = (g: string, seed: number) => rows.find((r) => r.graph === g && r.budget === b1 && r.seed === seed)?.AP;
    const agree = (set: string[]) => {
      const ok = set.filter((g) => apAt(g, sa) !== undefined && apAt(g, sb) !== undefined);
      if (ok.length < 3) return `— (${ok.length} graph${ok.length === 1 ? '' : 's'})`;
      const [x, y] = [ok.map((g) => apAt(g, sa)!), ok.map((g) => apAt(g, sb)!)];
      return `ρ ${spearman(x, y).toFixed(3)}, τ ${kendallTauB(x, y).toFixed(3)} (${ok.length} graphs)`;
    };
    console.log(`×${b1} seed ${sa} vs seed ${sb} (the same budget; other data, weights and order):`);
    console.log(`  what the search sees: ${agree(searchSees)}; nas-fpn samples alone: ${agree(samples)}`);
  }
  for (const [b, label] of budgetColumns) {
    const f = meanAp('fpn', b),
      s = meanAp('single-level-c4', b);
    if (Number.isFinite(f) && Number.isFinite(s))
      console.log(
        `${label}: FPN ${(f * 100).toFixed(2)} vs single-level ${(s * 100).toFixed(2)} → ${f > s ? 'FPN above' : 'FPN NOT above'}`,
      );
  }
  // The pyramid gap: FPN minus the best single-level baseline, per seed (each seed's data and weights), then
  // mean ± sd over the seeds both were measured on. The task rewards a pyramid when this is clearly positive.
  const apOf = (g: string, b: number, seed: number) =>
    rows.find((r) => r.graph === g && r.budget === b && r.seed === seed)?.AP;
  const stats = (v: number[]) => {
    const s = sd(v);
    return `${(100 * mean(v)).toFixed(2)} ± ${Number.isFinite(s) ? (100 * s).toFixed(2) : '—'}`;
  };
  const gapsAt = new Map<number, number[]>();
  for (const [b, label] of budgetColumns) {
    const singles = SINGLES.filter((g) => names.includes(g));
    const gaps: number[] = [];
    const fpns: number[] = [];
    for (const seed of [...new Set(rows.filter((r) => r.budget === b).map((r) => r.seed))].sort((x, y) => x - y)) {
      const f = apOf('fpn', b, seed);
      const best = Math.max(...singles.map((g) => apOf(g, b, seed) ?? NaN));
      if (f !== undefined) fpns.push(f);
      if (f !== undefined && Number.isFinite(best)) gaps.push(f - best);
    }
    gapsAt.set(b, gaps);
    if (gaps.length)
      console.log(
        `${label}: pyramid gap FPN − max(${singles.map((g) => g.slice(-2).toUpperCase()).join(', ')}) = ${stats(gaps)} AP over ${gaps.length} seed(s); FPN ${stats(fpns)}`,
      );
    // Whether any fusion pays, not only FPN's: the pyramid with the best mean AP at this budget against the
    // best single level, per seed. Picked on the same runs, so it leans high; a search would pick the same way.
    const pyramids = names.filter((g) => !SINGLES.includes(g) && Number.isFinite(meanAp(g, b)));
    if (!pyramids.length || !singles.length) continue;
    const best = pyramids.reduce((x, y) => (meanAp(y, b) > meanAp(x, b) ? y : x));
    const bestGaps: number[] = [];
    for (const seed of [...new Set(rows.filter((r) => r.budget === b).map((r) => r.seed))].sort((x, y) => x - y)) {
      const p = apOf(best, b, seed);
      const single = Math.max(...singles.map((g) => apOf(g, b, seed) ?? NaN));
      if (p !== undefined && Number.isFinite(single)) bestGaps.push(p - single);
    }
    if (bestGaps.length)
      console.log(
        `${label}: best of ${pyramids.length} pyramids (${best}) − max single level = ${stats(bestGaps)} AP over ${bestGaps.length} seed(s)`,
      );
  }
  // Seed noise against the signal: a ranking can only be trusted where FPN's spread over seeds is small
  // next to the gap it should show over the baselines.
  const fpnLow = apsOf('fpn', b1);
  const gapLow = mean(gapsAt.get(b1) ?? []);
  if (fpnLow.length > 1 && Number.isFinite(gapLow))
    console.log(
      `×${b1}: noise: FPN sd over ${fpnLow.length} seeds ${pct(sd(fpnLow))} AP vs pyramid gap ${pct(gapLow)} → sd ≤ ⅓ gap: ${sd(fpnLow) <= gapLow / 3 ? 'yes' : 'no'}`,
    );
  else if (fpnLow.length === 1)
    console.log(
      `×${b1}: noise: FPN measured on 1 seed, no sd (measure more --seeds to compare it with the pyramid gap)`,
    );
  // The order the literature reports at full training: PANet's and BiFPN's pyramids at least as good as FPN's.
  const topLabel = budgetColumns[budgetColumns.length - 1];
  const fTop = meanAp('fpn', topLabel[0]);
  const vsFpn = (g: string, label: string) => {
    const v = meanAp(g, topLabel[0]);
    return Number.isFinite(v) && Number.isFinite(fTop)
      ? `${label} ≥ FPN: ${v >= fTop ? 'yes' : 'no'} (${pct(v)} vs ${pct(fTop)})`
      : undefined;
  };
  const literature = [vsFpn('pafpn', 'PAFPN'), vsFpn('bifpn', 'BiFPN')].filter(Boolean);
  if (literature.length) console.log(`${topLabel[1]}: literature order: ${literature.join('; ')}`);
}
