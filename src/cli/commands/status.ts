// `pyramid-nas status results/<campaign> [--json]`: the trials of a campaign (running or finished) as a
// table, and the best so far. Reads the journal only; safe while the campaign runs.
import type { Command } from 'commander';

import { proxyShape, proxyShapeText } from '../../campaign/costs.js';
import { readCampaignDir } from '../../campaign/dir.js';
import { bestText, bestTrial, type TrialRecord } from '../../campaign/records.js';
import { exitCodeOf } from '../../util/errors.js';

function fmt(v: number | undefined, digits = 4): string {
  return v === undefined ? '-' : v.toFixed(digits);
}

function row(r: TrialRecord): string[] {
  return [
    String(r.index),
    r.trialId,
    r.status ?? 'running',
    fmt(r.metrics?.AP),
    r.metrics ? (r.metrics.macs / 1e6).toFixed(1) : '-',
    r.metrics ? String(r.metrics.params) : '-',
    fmt(r.reward),
    r.wallSeconds === undefined ? '-' : r.wallSeconds.toFixed(1),
    r.hash.slice(0, 12),
    (r.error ?? '').slice(0, 60),
  ];
}

export function statusText(dir: string): string {
  const d = readCampaignDir(dir);
  const head = ['#', 'trial', 'status', 'AP', 'proxy MMACs', 'proxy params', 'reward', 'wall s', 'hash', 'error'];
  const rows = d.records.map(row);
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
  const out = [
    `campaign ${d.config.name}: ${told.length} told of ${d.config.budget.trials ?? '?'} (${d.records.length - told.length} in flight), ` +
      `${told.filter((r) => r.status === 'failed').length} failed, ${told.filter((r) => r.status === 'invalid').length} invalid — ${finished}`,
    line(head),
    ...rows.map(line),
    best
      ? `${bestText({ reward: best.reward, AP: best.metrics!.AP })} — trial ${best.trialId}, hash ${best.hash.slice(0, 12)}`
      : bestText(undefined),
    `costs: ${proxyShapeText(proxyShape(d.config.proxy))} (exported graphs also carry meta.fullWidthCost, at the graph's own width)`,
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
