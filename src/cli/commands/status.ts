// `pyramid-nas status results/<campaign> [--json]`: the trials of a campaign (running or finished) as a
// table, and the best so far. Reads the journal only; safe while the campaign runs.
import type { Command } from 'commander';

import { baselineLines } from '../../campaign/campaign-inputs.js';
import { proxyShape, proxyShapeText } from '../../campaign/costs.js';
import { readCampaignDir } from '../../campaign/dir.js';
import type { BaselineRecord } from '../../campaign/input-events.js';
import type { JournalEvent } from '../../campaign/journal.js';
import { foldJournal } from '../../campaign/journal-state.js';
import { ledgerText } from '../../campaign/ledger.js';
import { bestText, bestTrial, type TrialRecord } from '../../campaign/records.js';
import { exitCodeOf } from '../../util/errors.js';

function fmt(v: number | undefined, digits = 4): string {
  return v === undefined ? '-' : v.toFixed(digits);
}

function row(r: TrialRecord): string[] {
  return [
    String(r.index),
    r.trialId,
    // Successive halving: the rung whose result the row shows.
    (r.status ?? 'running') + (r.rung !== undefined && r.status ? ` (rung ${r.rung})` : ''),
    fmt(r.metrics?.AP),
    r.metrics ? (r.metrics.macs / 1e6).toFixed(1) : '-',
    r.metrics ? String(r.metrics.params) : '-',
    fmt(r.reward),
    r.wallSeconds === undefined ? '-' : r.wallSeconds.toFixed(1),
    r.hash.slice(0, 12),
    (r.error ?? '').slice(0, 60),
  ];
}

/** A baseline's row: `base` in the index column, its name, no reward (it is not a trial of the search). */
function baselineRow(b: BaselineRecord): string[] {
  return [
    'base',
    `${b.name} (baseline)`,
    b.status ?? 'running',
    fmt(b.metrics?.AP),
    b.metrics ? (b.metrics.macs / 1e6).toFixed(1) : '-',
    b.metrics ? String(b.metrics.params) : '-',
    '-',
    b.wallSeconds === undefined ? '-' : b.wallSeconds.toFixed(1),
    b.hash.slice(0, 12),
    (b.error ?? '').slice(0, 60),
  ];
}

function baselinesOf(events: JournalEvent[]): BaselineRecord[] {
  return [...foldJournal(events).baselines.values()].sort((a, b) => a.index - b.index);
}

export function statusText(dir: string): string {
  const d = readCampaignDir(dir);
  const head = ['#', 'trial', 'status', 'AP', 'proxy MMACs', 'proxy params', 'reward', 'wall s', 'hash', 'error'];
  const baselines = baselinesOf(d.events);
  const rows = [...baselines.map(baselineRow), ...d.records.map(row)];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const told = d.records.filter((r) => r.status);
  const fin = d.events.findLast((e) => e.type === 'campaign-finished');
  const finished = fin ? `finished (${(fin as { reason: string }).reason})` : 'not finished';
  const best = bestTrial(d.records);
  const fold = foldJournal(d.events);
  // Successive halving: promotions running besides the trials not yet told.
  const promoting = fold.rungs.promotionsInFlight;
  const inFlight = `${d.records.length - told.length} in flight${promoting ? `, ${promoting} promotion(s) running` : ''}`;
  const out = [
    `campaign ${d.config.name}: ${told.length} told of ${d.config.budget.trials ?? '?'} (${inFlight}), ` +
      `${told.filter((r) => r.status === 'failed').length} failed, ${told.filter((r) => r.status === 'invalid').length} invalid — ${finished}`,
    line(head),
    ...rows.map(line),
    best
      ? `${bestText({ reward: best.reward, AP: best.metrics!.AP })} — trial ${best.trialId}, hash ${best.hash.slice(0, 12)}`
      : bestText(undefined),
    ...baselineLines(baselines, best?.metrics?.AP),
    `costs: ${proxyShapeText(proxyShape(d.config.proxy))} (exported graphs also carry meta.fullWidthCost, at the graph's own width)`,
    `spent: ${ledgerText(fold.ledger.view())}`,
  ];
  return out.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('status')
    .description('trials of a campaign and the best so far')
    .argument('<dir>', 'campaign output folder (results/<campaign>)')
    .option('--json', 'the trial records as JSON')
    .action((dir: string, o: { json?: boolean }) => {
      try {
        if (o.json) {
          const d = readCampaignDir(dir);
          const best = bestTrial(d.records);
          process.stdout.write(
            JSON.stringify({
              campaign: d.config.name,
              trials: d.records.map(({ graph: _g, ...r }) => r),
              best: best?.trialId ?? null,
              bestReward: best?.reward ?? null,
              bestAP: best?.metrics?.AP ?? null,
              costs: { scope: 'neck', ...proxyShape(d.config.proxy) },
              baselines: baselinesOf(d.events).map(({ graph: _g, ...b }) => b),
              ledger: foldJournal(d.events).ledger.view(),
            }) + '\n',
          );
        } else {
          process.stdout.write(statusText(dir));
        }
      } catch (err) {
        process.stderr.write(`pyramid-nas status: ${(err as Error).message}\n`);
        process.exit(exitCodeOf(err));
      }
    });
}
