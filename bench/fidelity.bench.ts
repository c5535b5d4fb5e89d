// Does the proxy rank pyramids like a longer training does? Proxy AP of every zoo graph plus the
// single-level baseline at the default budget and at N× the budget (steps), then the Spearman rank
// correlation between the two columns and whether FPN beats the baseline.
//
//   npm run bench:fidelity -- [--out FILE] [--only fpn,pafpn] [--factor 5] [--budgets 1,5] [--seeds 0]
//                              [--set k=v ...] [--report] [--reference FILE]
//
// Trials are appended to a JSONL results file as they finish and skipped when already there, so the bench
// can be stopped and resumed (and split across processes with --only). Prints the table at the end;
// --report prints it from the results file without training anything. The default results file is the
// committed measurement of the default proxy task, so a bare `--report` reprints its table; measure
// anything else (other --set, --seeds or budgets) into a file of its own with --out.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { singleLevelGraph } from '../src/detector/index.js';
import { parseGraph } from '../src/graph/index.js';
import type { PyramidGraph } from '../src/graph/types.js';
import { trainAndEvaluate } from '../src/train/index.js';
import { DEFAULT_PROXY_TASK, resolveProxyTask } from '../src/trial/proxy-task.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = flag('--out') ?? 'bench/results/fidelity/default.jsonl';
const budgets = (flag('--budgets') ?? `1,${flag('--factor') ?? '5'}`).split(',').map(Number);
const seeds = (flag('--seeds') ?? '0').split(',').map(Number);
const only = flag('--only')?.split(',');
const overrides: Record<string, unknown> = {};
args.forEach((a, i) => {
  if (a === '--set') {
    const [k, v] = args[i + 1].split('=');
    overrides[k] = Number.isNaN(Number(v)) ? v : Number(v);
  }
});
const base = resolveProxyTask(overrides);

function graphs(): Array<[string, PyramidGraph]> {
  const dir = 'search-spaces/zoo';
  const list: Array<[string, PyramidGraph]> = readdirSync(dir)
    .filter((f) => f.endsWith('.graph.json'))
    .sort()
    .map((f) => {
      const r = parseGraph(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      if (!r.ok) throw new Error(`${f} is invalid`);
      return [f.replace('.graph.json', ''), r.graph];
    });
  // The "no pyramid" baselines: every output from one backbone level (C4 as the reference, C3 and C5 as well).
  list.push(
    ['single-level-c4', singleLevelGraph(4)],
    ['single-level-c3', singleLevelGraph(3)],
    ['single-level-c5', singleLevelGraph(5)],
  );
  return list.filter(([name]) => !only || only.includes(name));
}

interface Row {
  graph: string;
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

function readRows(file = out): Row[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

/** Spearman's ρ with average ranks for ties. */
export function spearman(a: number[], b: number[]): number {
  const rank = (v: number[]) => {
    const idx = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < idx.length;) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const ra = rank(a),
    rb = rank(b);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(ra),
    mb = mean(rb);
  let num = 0,
    da = 0,
    db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** A task's identity without its steps; keys added to the schema since a row was written resolve to their defaults. */
const keyOf = (task: Record<string, unknown>) =>
  JSON.stringify({ ...resolveProxyTask({ ...task, steps: 1 } as never), steps: undefined });
const taskKey = keyOf(base);
const sameTask = (r: Row) => keyOf(JSON.parse(r.task)) === taskKey;
mkdirSync(dirname(out), { recursive: true });
for (const budget of args.includes('--report') ? [] : budgets) {
  for (const [name, graph] of graphs()) {
    for (const seed of seeds) {
      if (readRows().some((r) => r.graph === name && r.budget === budget && r.seed === seed && sameTask(r))) continue;
      const task = { ...base, steps: base.steps * budget, seed };
      const t0 = performance.now();
      const runAPs: number[] = [];
      const m = await trainAndEvaluate(graph, task, { onRunEnd: (_, s) => runAPs.push(s.AP) });
      const row: Row = {
        graph: name,
        budget,
        seed,
        task: taskKey,
        AP: m.AP,
        runAPs,
        AP50: m.AP50,
        APs: m.APs,
        APm: m.APm,
        seconds: (performance.now() - t0) / 1000,
        trainSeconds: m.trainSeconds,
        evalSeconds: m.evalSeconds,
        params: m.params,
        macs: m.macs,
      };
      appendFileSync(out, `${JSON.stringify(row)}\n`);
      console.error(
        `${name} ×${budget} seed ${seed}: AP ${m.AP.toFixed(4)} (runs ${runAPs.map((a) => a.toFixed(4)).join(' ')}) AP50 ${m.AP50.toFixed(4)} (${row.seconds.toFixed(1)} s)`,
      );
    }
  }
}

// The table, from everything in the results file for this task. With --reference FILE (screening a
// candidate proxy cheaply), the second column is FILE's top budget, whatever task FILE holds.
const reference = flag('--reference');
let rows = readRows().filter(sameTask);
const [b1, b2] = reference ? [Math.min(...budgets), -1] : [Math.min(...budgets), Math.max(...budgets)];
let lab2 = `×${b2}`;
if (reference) {
  const refRows = readRows(reference);
  const top = Math.max(...refRows.map((r) => r.budget));
  lab2 = `${reference} ×${top}`;
  rows = rows
    .filter((r) => r.budget === b1)
    .concat(refRows.filter((r) => r.budget === top).map((r) => ({ ...r, budget: b2 })));
}
const names = [...new Set(rows.filter((r) => r.budget === b1).map((r) => r.graph))];
const meanAp = (g: string, b: number) => {
  const v = rows.filter((r) => r.graph === g && r.budget === b).map((r) => r.AP);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
};
const median = (v: number[]) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
/** AP of one run (index r) of a graph at a budget, averaged over seeds; NaN where rows lack per-run APs. */
const runAp = (g: string, b: number, r: number) => {
  const v = rows
    .filter((x) => x.graph === g && x.budget === b && x.runAPs && x.runAPs.length > r)
    .map((x) => x.runAPs![r]);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
};
const runsOf = (g: string, b: number) =>
  rows.filter((x) => x.graph === g && x.budget === b).flatMap((x) => x.runAPs ?? [x.AP]);
console.log(
  `proxy task: ${JSON.stringify({ ...base, steps: undefined })}, steps ${base.steps} (×${b1}) vs ${reference ? lab2 : `${base.steps * b2} (×${b2})`}, seeds ${seeds.join(',')}`,
);
console.log(`| graph | AP ×${b1} | runs ×${b1} | AP ${lab2} | runs ${lab2} | median trial s ×${b1} |`);
console.log('|---|---|---|---|---|---|');
const pct = (v: number) => (Number.isFinite(v) ? (v * 100).toFixed(2) : '—');
const order = [...names].sort((x, y) => (meanAp(y, b2) || 0) - (meanAp(x, b2) || 0));
for (const g of order) {
  const secs = median(rows.filter((r) => r.graph === g && r.budget === b1).map((r) => r.seconds));
  console.log(
    `| ${g} | ${pct(meanAp(g, b1))} | ${runsOf(g, b1).map(pct).join(', ')} | ${pct(meanAp(g, b2))} | ${runsOf(g, b2).map(pct).join(', ')} | ${Number.isFinite(secs) ? secs.toFixed(1) : '—'} |`,
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
const rho = (set: string[], x: (g: string) => number) => {
  const ok = set.filter((g) => Number.isFinite(x(g)) && Number.isFinite(meanAp(g, b2)));
  return ok.length >= 3
    ? `${spearman(
        ok.map(x),
        ok.map((g) => meanAp(g, b2)),
      ).toFixed(3)} (${ok.length} graphs)`
    : '—';
};
// The reference set is every zoo graph plus the single-level C4 baseline; C3 and C5 are extra rows.
const referenceSet = names.filter((g) => g !== 'single-level-c3' && g !== 'single-level-c5');
console.log(
  `Spearman ρ (×${b1} vs ${lab2}), every graph: ${rho(names, (g) => meanAp(g, b1))}; zoo + C4 baseline: ${rho(referenceSet, (g) => meanAp(g, b1))}`,
);
const maxRuns = Math.max(0, ...rows.filter((r) => r.budget === b1).map((r) => r.runAPs?.length ?? 0));
for (let r = 0; maxRuns > 1 && r < maxRuns; r++) {
  console.log(
    `  ×${b1} run ${r} alone vs ${lab2} mean: every graph ${rho(names, (g) => runAp(g, b1, r))}; zoo + C4: ${rho(referenceSet, (g) => runAp(g, b1, r))}`,
  );
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
for (const [b, label] of budgetColumns) {
  const singles = ['single-level-c3', 'single-level-c4', 'single-level-c5'].filter((g) => names.includes(g));
  const gaps: number[] = [];
  const fpns: number[] = [];
  for (const seed of [...new Set(rows.filter((r) => r.budget === b).map((r) => r.seed))].sort((x, y) => x - y)) {
    const f = apOf('fpn', b, seed);
    const best = Math.max(...singles.map((g) => apOf(g, b, seed) ?? NaN));
    if (f !== undefined) fpns.push(f);
    if (f !== undefined && Number.isFinite(best)) gaps.push(f - best);
  }
  const stats = (v: number[]) => {
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) : NaN;
    return `${(100 * m).toFixed(2)} ± ${Number.isFinite(sd) ? (100 * sd).toFixed(2) : '—'}`;
  };
  if (gaps.length)
    console.log(
      `${label}: pyramid gap FPN − max(${singles.map((g) => g.slice(-2).toUpperCase()).join(', ')}) = ${stats(gaps)} AP over ${gaps.length} seed(s); FPN ${stats(fpns)}`,
    );
}
void DEFAULT_PROXY_TASK;
