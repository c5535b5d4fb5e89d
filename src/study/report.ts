// The study's report, from its folder alone (journals and evaluation.json files), so that `study --report`
// re-prints every figure without training: report.md, and beside it curves-trials.svg and curves-cpu.svg.
// Sections: (1) best-so-far held-out AP against trials and CPU-hours, (2) trials to reach random search's
// best-of-N, (3) the final table on the test split, (4) the transfer table, (5) the selection bias of each
// winner, (6) the cost ledger. A part not yet run is reported as pending.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { ensureDir, writeFileAtomic } from '../campaign/atomic.js';
import { readCampaignDir } from '../campaign/dir.js';
import { foldJournal } from '../campaign/journal-state.js';
import type { LedgerView } from '../campaign/ledger.js';
import { heldOutAgreement, signedPct, transferAgreement, versusBaselines } from './compare.js';
import {
  band,
  bestAtCpu,
  bestAtTrials,
  bestSoFarCurve,
  type CurvePoint,
  medianOrNever,
  trialsToReach,
} from './curves.js';
import { EVALUATION_DIR, TRANSFER_DIR } from './evaluate-step.js';
import { readStudyEvaluation, type StudyEvaluation, type StudyEvaluationEntry } from './evaluation-file.js';
import { heldOutWinnerHash } from './export.js';
import type { PlannedCampaign, StudyPlan } from './plan.js';
import { type BandPoint, type BandSeries, bandSvg, type ReferenceLine } from './plot.js';

export const REPORT_FILE = 'report.md';
export const CURVES_TRIALS_SVG = 'curves-trials.svg';
export const CURVES_CPU_SVG = 'curves-cpu.svg';

/** One campaign run as its folder says. */
export interface RunFacts {
  planned: PlannedCampaign;
  state: 'not started' | 'unfinished' | 'finished';
  curve: CurvePoint[];
  told: number;
  ledger?: LedgerView;
  baselines: ReferenceLine[];
}

export function runFacts(p: PlannedCampaign): RunFacts {
  if (!existsSync(join(p.dir, 'journal.jsonl')))
    return { planned: p, state: 'not started', curve: [], told: 0, baselines: [] };
  const { events } = readCampaignDir(p.dir);
  const s = foldJournal(events);
  const baselines = [...s.baselines.values()]
    .filter((b) => b.status === 'complete' && b.metrics)
    .map((b) => ({ name: b.name, y: 100 * b.metrics!.AP }));
  return {
    planned: p,
    state: s.finished ? 'finished' : 'unfinished',
    curve: bestSoFarCurve(events),
    told: s.told,
    ledger: s.ledger.view(),
    baselines,
  };
}

/** The proxy task every campaign ran on, named in the report: figures from two backbones are never alike. */
function proxyLine(plan: StudyPlan): string {
  const p = plan.campaigns[0].config.proxy;
  const backbone = p.backbone === 'scratch' ? 'none (trained from scratch)' : `\`${p.backboneWeights}\` (pre-trained)`;
  return `Proxy task: ${p.dataset} at ${p.imageSize} px, ${p.steps} steps × ${p.batchSize} images, backbone ${backbone}.`;
}

const pct = (x: number | null | undefined) =>
  typeof x === 'number' && Number.isFinite(x) ? (100 * x).toFixed(1) : '–';
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const hours = (cpuSeconds: number) => (cpuSeconds / 3600).toFixed(2);
const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function byCampaign(plan: StudyPlan, facts: RunFacts[]): Array<[string, RunFacts[]]> {
  return plan.study.campaigns.map((c) => [c.name, facts.filter((f) => f.planned.campaign === c.name)]);
}

/** The trials axis: for t = 1 … the most trials any seed told, the band of best-so-far over seeds. */
export function trialsBand(runs: RunFacts[]): BandPoint[] {
  const most = Math.max(0, ...runs.map((r) => r.told));
  const out: BandPoint[] = [];
  for (let t = 1; t <= most; t++) {
    const b = band(
      runs
        .map((r) => (r.curve.length ? bestAtTrials(r.curve, t) : undefined))
        .map((v) => (v === undefined ? v : 100 * v)),
    );
    if (b) out.push({ x: t, ...b });
  }
  return out;
}

/** The CPU-hours axis: 60 steps up to the costliest seed's total, the band of best-so-far over seeds. */
export function cpuBand(runs: RunFacts[], steps = 60): BandPoint[] {
  const most = Math.max(0, ...runs.map((r) => r.curve.at(-1)?.cpuSeconds ?? 0));
  if (most <= 0) return [];
  const out: BandPoint[] = [];
  for (let k = 1; k <= steps; k++) {
    const cpu = (most * k) / steps;
    const b = band(
      runs
        .filter((r) => r.curve.length)
        .map((r) => bestAtCpu(r.curve, cpu))
        .map((v) => (v === undefined ? v : 100 * v)),
    );
    if (b) out.push({ x: cpu / 3600, ...b });
  }
  return out;
}

/** The campaign whose best-of-N is the target: the first random campaign without a scheduler, else the first random one. */
export function referenceCampaign(plan: StudyPlan): string | undefined {
  const random = plan.study.campaigns.filter((c) => c.controller.kind === 'random');
  return (random.find((c) => !c.scheduler || c.scheduler.kind === 'none') ?? random[0])?.name;
}

/**
 * The final table. `selectedHash`: the graph hash of the study's winner chosen on held-out reward (what
 * `--export` writes); the headline comparison is that graph's, since the best of several on the test split
 * would carry its selection in its test AP. The best on the test split is named as well, marked as such.
 */
function finalTable(ev: StudyEvaluation, selectedHash?: string): string {
  const camp = ev.request.campaigns ?? {};
  const rows = [...ev.entries]
    .sort((a, b) => (b.AP.mean ?? -Infinity) - (a.AP.mean ?? -Infinity))
    .map((e) => [
      e.name,
      e.role === 'baseline' ? 'baseline' : (camp[e.name] ?? e.role),
      `${e.seedsDone}/${ev.task.seeds}`,
      `${pct(e.AP.mean)} ± ${pct(e.AP.sd)}`,
      (e.proxyCost.macs / 1e6).toFixed(2),
      int(e.proxyCost.params),
      (e.fullWidthCost.macs / 1e9).toFixed(2),
      (e.fullWidthCost.params / 1e6).toFixed(2),
    ]);
  const t = ev.task;
  const first = ev.entries[0];
  const notes = [
    `Test split: ${t.testImages} images of ${t.proxy.dataset} at ${t.proxy.imageSize} px, never read by a campaign; ` +
      `${t.proxy.steps} training steps (${t.budget}× the proxy task), ${t.seeds} seeds; AP in %, mean ± sd (n−1).` +
      (ev.complete ? '' : ' **Incomplete**: some trainings have not run yet.'),
    first
      ? `Costs of the neck: proxy = ${first.proxyCost.channels} channels at ${t.proxy.imageSize} px; full = ` +
        `${first.fullWidthCost.channels} channels at ${first.fullWidthCost.imageSize} px on ResNet-50 features.`
      : '',
  ].filter(Boolean);
  const head = ['graph', 'from', 'seeds', 'test AP', 'MMACs proxy', 'params proxy', 'GMACs full', 'M params full'];
  const searched = ev.entries.filter((e) => e.role !== 'baseline' && e.AP.mean !== null);
  const baselines = ev.entries.filter((e) => e.role === 'baseline' && e.AP.mean !== null);
  const versus = (g: StudyEvaluationEntry) => versusBaselines(g, baselines);
  const selected = selectedHash === undefined ? undefined : searched.find((e) => e.hash === selectedHash);
  const bestOnTest = [...searched].sort((a, b) => b.AP.mean! - a.AP.mean!)[0];
  const comparisons: string[] = [];
  if (baselines.length && selected)
    comparisons.push(
      `The study's winner, chosen on held-out reward (\`--export\`), ${selected.name} (${camp[selected.name] ?? selected.role}), against each baseline: ${versus(selected)}.`,
    );
  if (baselines.length && bestOnTest && bestOnTest !== selected)
    comparisons.push(
      `Best of the ${searched.length} searched pyramids on the test split itself, ${bestOnTest.name} (${camp[bestOnTest.name] ?? bestOnTest.role}), picked on the split it is scored on, so optimistic: ${versus(bestOnTest)}.`,
    );
  return [table(head, rows), '', ...notes, ...comparisons.flatMap((c) => ['', c])].join('\n');
}

export interface StudyReport {
  markdown: string;
  files: { report: string; trials: string; cpu: string };
}

export function studyReport(plan: StudyPlan, command: string): StudyReport {
  const facts = plan.campaigns.map(runFacts);
  const groups = byCampaign(plan, facts);
  const refs = facts.find((f) => f.baselines.length)?.baselines ?? [];
  const trialsSeries: BandSeries[] = groups.map(([name, runs]) => ({ name, points: trialsBand(runs) }));
  const cpuSeries: BandSeries[] = groups.map(([name, runs]) => ({ name, points: cpuBand(runs) }));
  const y = 'best held-out AP so far (%), median and min–max over seeds';
  const svgTrials = bandSvg(trialsSeries, refs, {
    title: `${plan.study.name}: best-so-far against trials`,
    x: 'trials told',
    y,
  });
  const svgCpu = bandSvg(cpuSeries, refs, {
    title: `${plan.study.name}: best-so-far against CPU-hours`,
    x: 'CPU-hours (the campaign’s jobs)',
    y,
  });
  const finished = facts.filter((f) => f.state === 'finished').length;
  const md: string[] = [
    `# Study ${plan.study.name}`,
    '',
    `Written by \`${command}\` from the files under this folder (journals, evaluation.json); ` +
      `${finished}/${facts.length} campaign runs finished (${plan.study.campaigns.length} campaigns × seeds ${plan.study.seeds.join(', ')}).` +
      // Said outright: a folder with no journal yet is a study not started, not one whose runs all failed.
      (facts.every((f) => f.state === 'not started')
        ? ' Nothing has run yet: no campaign of this study has a journal in this folder.'
        : ''),
    '',
    proxyLine(plan),
    '',
    '## 1. Best-so-far held-out AP',
    '',
    'A trial counts with its full-budget result (with successive halving: only a result at the top rung). ' +
      'Lines: the median over seeds; bands: min–max; dashed: the baselines’ held-out AP on the same proxy task.',
    '',
    `![best-so-far against trials](${CURVES_TRIALS_SVG})`,
    '',
    `![best-so-far against CPU-hours](${CURVES_CPU_SVG})`,
    '',
    table(
      [
        'campaign',
        'runs finished',
        'trials (median)',
        'best-of-N held-out AP, median [min–max]',
        'CPU-hours per run (median)',
      ],
      groups.map(([name, runs]) => {
        // Only finished runs: a run still going has neither its N trials nor its best-of-N yet.
        const done = runs.filter((r) => r.state === 'finished');
        const b = band(done.map((r) => r.curve.at(-1)?.best));
        const c = band(done.filter((r) => r.curve.length).map((r) => r.curve.at(-1)!.cpuSeconds));
        const t = band(done.filter((r) => r.told).map((r) => r.told));
        return [
          name,
          `${runs.filter((r) => r.state === 'finished').length}/${runs.length}`,
          t ? String(t.median) : '–',
          b ? `${pct(b.median)} [${pct(b.min)}–${pct(b.max)}]` : 'pending',
          c ? hours(c.median) : '–',
        ];
      }),
    ),
    '',
    '## 2. Trials to reach random search’s best-of-N',
    '',
  ];
  const ref = referenceCampaign(plan);
  if (!ref) md.push('No random-search campaign in this study: nothing to compare against.', '');
  else {
    const refRuns = groups.find(([n]) => n === ref)![1];
    md.push(
      `Per seed, the target is the best held-out AP of \`${ref}\` with the same seed after all its N trials; each ` +
        'campaign’s count is the trials it had told when its best-so-far first reached that target. ' +
        'Median over seeds, a seed that never reached it counted as “not reached” (ranked above every count).',
      '',
    );
    const rows = groups.map(([name, runs]) => {
      const per = runs.map((r) => {
        const target = refRuns.find((x) => x.planned.seed === r.planned.seed)?.curve.at(-1)?.best;
        if (target === undefined || r.state !== 'finished')
          return { seed: r.planned.seed, n: undefined, pending: true };
        return { seed: r.planned.seed, n: trialsToReach(r.curve, target), pending: false };
      });
      const ready = per.filter((p) => !p.pending);
      const med = medianOrNever(ready.map((p) => p.n));
      const N = band(runs.filter((r) => r.state === 'finished').map((r) => r.told))?.median ?? 0;
      return [
        name,
        per.map((p) => `s${p.seed}: ${p.pending ? 'pending' : (p.n ?? 'not reached')}`).join(', '),
        ready.length === 0 ? 'pending' : med === undefined ? 'not reached' : String(med),
        ready.length === 0 || med === undefined ? '–' : `${(med / N).toFixed(2)} N`,
      ];
    });
    md.push(table(['campaign', 'trials per seed', 'median', 'as a fraction of N'], rows), '');
  }
  const evaluation = readStudyEvaluation(join(plan.out, EVALUATION_DIR));
  const transfer = plan.study.transfer ? readStudyEvaluation(join(plan.out, TRANSFER_DIR)) : undefined;
  // The held-out winner both tables compare: one read of every campaign journal, only when a table needs it.
  const winnerHash = evaluation || transfer ? heldOutWinnerHash(plan) : undefined;
  md.push('## 3. Final table on the test split', '');
  md.push(evaluation ? finalTable(evaluation, winnerHash) : 'Pending: the evaluation has not run yet.', '');
  md.push('## 4. Transfer', '');
  md.push(
    !plan.study.transfer
      ? 'No transfer dataset in this study.'
      : transfer
        ? `The same comparison on \`${plan.study.transfer.dataset}\` (each campaign’s best ${plan.study.transfer.top} and the baselines), never searched on.\n\n${finalTable(transfer, winnerHash)}` +
          (evaluation ? `\n\n${transferAgreement(evaluation, transfer, winnerHash)}` : '')
        : 'Pending: the transfer evaluation has not run yet.',
    '',
  );
  md.push('## 5. Selection bias', '');
  if (!evaluation) md.push('Pending: needs the evaluation.', '');
  else {
    const rows = evaluation.entries
      .filter((e) => e.heldoutAP !== undefined)
      .map((e) => [
        e.name,
        evaluation.request.campaigns?.[e.name] ?? '',
        pct(e.heldoutAP),
        pct(e.AP.mean),
        signedPct(e.heldoutMinusTest),
      ]);
    const mean = band(evaluation.entries.map((e) => e.heldoutMinusTest ?? undefined));
    md.push(
      `Held-out AP (what the trial was selected on, at the proxy budget) minus its test AP (at ${evaluation.task.budget}× the budget, ` +
        'mean over seeds): the optimism of picking the best of many on one split, plus the effect of the longer training.',
      '',
      table(['trial', 'campaign', 'held-out AP', 'test AP', 'held-out − test'], rows),
      '',
      mean
        ? `Median held-out − test: ${signedPct(mean.median)} (min ${signedPct(mean.min)}, max ${signedPct(mean.max)}).`
        : '',
      '',
      heldOutAgreement(evaluation),
      '',
    );
  }
  md.push('## 6. Cost ledger', '');
  const ledgerRows = facts.map((f) => [
    f.planned.id,
    f.state,
    String(f.told),
    f.ledger ? String(f.ledger.jobs) : '0',
    f.ledger ? int(f.ledger.steps) : '0',
    f.ledger ? int(f.ledger.cpuSeconds) : '0',
  ]);
  const sum = (k: 'jobs' | 'steps' | 'cpuSeconds') => facts.reduce((a, f) => a + (f.ledger?.[k] ?? 0), 0);
  const told = facts.reduce((a, f) => a + f.told, 0);
  ledgerRows.push([
    '**total (search)**',
    '',
    String(told),
    String(sum('jobs')),
    int(sum('steps')),
    int(sum('cpuSeconds')),
  ]);
  md.push(table(['campaign run', 'state', 'trials', 'jobs', 'steps', 'CPU-s'], ledgerRows), '');
  const evalSeconds = [evaluation, transfer].reduce(
    (a, ev) => a + (ev?.entries.reduce((s, e) => s + (e.trainSeconds ?? 0), 0) ?? 0),
    0,
  );
  md.push(
    `Search: ${hours(sum('cpuSeconds'))} CPU-hours in ${int(sum('steps'))} training steps (jobs: every trial and, with successive halving, every promotion). ` +
      `Evaluation${transfer ? ' and transfer' : ''}: ${hours(evalSeconds)} hours of training wall time (the trainer’s own clock, summed over the trainings, which run as many at once as the study’s concurrency).`,
    '',
  );
  const files = {
    report: join(plan.out, REPORT_FILE),
    trials: join(plan.out, CURVES_TRIALS_SVG),
    cpu: join(plan.out, CURVES_CPU_SVG),
  };
  const markdown = md.join('\n');
  ensureDir(plan.out);
  writeFileAtomic(files.trials, svgTrials);
  writeFileAtomic(files.cpu, svgCpu);
  writeFileAtomic(files.report, markdown);
  return { markdown, files };
}
