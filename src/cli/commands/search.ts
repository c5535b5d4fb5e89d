// `pyramid-nas search campaign.json [--redis URL] [--json] [--resume DIR] [--dry-run] [--force-unlock] [--dashboard [--dashboard-port N]]`:
// runs a campaign embedded (a pool of worker processes) or through BullMQ, with a progress bar or JSON
// logs, and ends by printing the best graph, its AP and the output folder. Bad input exits 2 before
// anything is written. A fresh campaign needs an empty or absent output folder; the folder is locked for
// the whole run (a second search on it exits 2 naming the holder). --dashboard serves the live dashboard
// (loopback only) for as long as the run lasts.
import { rmdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { campaignLimitIssues, DEFAULT_JOB_LIMITS, type JobLimits } from '../../../workers/job-limits.js';
import { ensureDir } from '../../campaign/atomic.js';
import { type CampaignSummary, runCampaign } from '../../campaign/campaign.js';
import { baselineLines, type CampaignInputs, resolveCampaignInputs } from '../../campaign/campaign-inputs.js';
import { CampaignConfigError, loadCampaignFile, type ResolvedCampaign } from '../../campaign/config.js';
import { proxyShape, proxyShapeText } from '../../campaign/costs.js';
import { readCampaignDir } from '../../campaign/dir.js';
import { campaignController, campaignSpace } from '../../campaign/factory.js';
import { ledgerText } from '../../campaign/ledger.js';
import { acquireLock, type CampaignLock, CampaignLockedError } from '../../campaign/lock.js';
import { checkFreshFolder, refuseSystemPath } from '../../campaign/output-folder.js';
import { barReporter, jsonReporter, type Reporter } from '../../campaign/progress.js';
import { type CampaignQueue, createQueue } from '../../campaign/queue/create.js';
import { concurrencyWarning } from '../../campaign/queue/embedded.js';
import { bestText } from '../../campaign/records.js';
// Type only: the dashboard module itself is imported on demand, so a plain `search` never loads it.
import type { Dashboard } from '../../dashboard/index.js';
import { exitCodeOf, optionMessage } from '../../util/errors.js';
import { redact } from '../../util/redis-connection.js';
import { limitsArg } from '../options.js';

interface SearchOpts {
  redis?: string;
  json?: boolean;
  resume?: string;
  dryRun?: boolean;
  dashboard?: boolean;
  dashboardPort?: number;
  forceUnlock?: boolean;
  limits?: JobLimits;
}

function portArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError(`expected a port number 0..65535, got "${v}"`);
  return n;
}

/** Starts the dashboard on 127.0.0.1 beside the campaign (the journal may not exist yet: it follows it). */
async function startSearchDashboard(dir: string, o: SearchOpts): Promise<Dashboard> {
  const { startDashboard } = await import('../../dashboard/index.js');
  return startDashboard({
    dirs: [dir],
    port: o.dashboardPort ?? 8080,
    host: '127.0.0.1',
    ...(o.redis ? { redis: o.redis } : {}),
  });
}

/** The dashboard's option errors name its own options; this command calls its port --dashboard-port. */
const OPTION_NAMES: Readonly<Record<string, string>> = { port: 'dashboard-port' };

function reportError(err: unknown, json: boolean | undefined): void {
  const message = optionMessage(err, OPTION_NAMES);
  if (json) {
    const issues = err instanceof CampaignConfigError ? err.issues : undefined;
    process.stdout.write(
      JSON.stringify({
        error: (err as Error).name,
        message,
        ...(err instanceof CampaignConfigError ? { file: err.file, issues } : {}),
        ...(err instanceof CampaignLockedError && err.holder ? { holder: err.holder } : {}),
      }) + '\n',
    );
  }
  process.stderr.write(`pyramid-nas search: ${message}\n`);
}

/** The summary's best line: records.ts's best (highest reward) and its AP, its proxy cost labelled. */
export function bestLine(s: CampaignSummary & { config: ResolvedCampaign }): string {
  if (!s.best)
    return `no trial completed (${s.stats.failed} failed, ${s.stats.invalid} invalid); see ${join(s.dir, 'trials.csv')}`;
  const m = s.best.metrics!;
  return (
    `${bestText({ reward: s.best.reward, AP: m.AP })} — trial ${s.best.trialId}, hash ${s.best.hash.slice(0, 12)}\n` +
    `  proxy cost: ${(m.macs / 1e6).toFixed(1)} MMACs, ${m.params} params (${proxyShapeText(proxyShape(s.config.proxy))})`
  );
}

async function search(file: string | undefined, o: SearchOpts): Promise<void> {
  if (!file && !o.resume)
    throw new CampaignConfigError('(none)', [
      { path: '$', message: 'give a campaign file, or --resume results/<campaign>' },
    ]);
  if (file && o.resume)
    throw new CampaignConfigError(file, [
      {
        path: '$',
        message: 'give a campaign file or --resume DIR, not both (a resumed campaign uses the config in its journal)',
      },
    ]);

  // 1. Resolve and validate everything before writing anything.
  let config: ResolvedCampaign;
  let dir: string;
  if (o.resume) {
    refuseSystemPath(o.resume);
    const d = readCampaignDir(o.resume);
    config = d.config;
    dir = o.resume;
  } else {
    config = loadCampaignFile(file!);
    dir = config.output;
  }
  const source = file ?? join(dir, 'journal.jsonl');
  const space = campaignSpace(config, source);
  const probe = await campaignController(config, space, source); // validates the controller options now
  // Seeds and baselines are read, projected and encoded now: a bad one exits 2 before anything is written.
  const inputs = await resolveCampaignInputs(config, space, source, probe, Boolean(o.resume));
  // The resource limits trial processes enforce (workers/job-limits.ts): checked before anything is queued.
  const overLimits = campaignLimitIssues(config.proxy, o.limits ?? DEFAULT_JOB_LIMITS);
  if (overLimits.length) throw new CampaignConfigError(source, overLimits);
  // A fresh campaign writes only into an empty or absent folder (and never under /proc, /sys, /dev).
  const folder = o.resume ? undefined : checkFreshFolder(dir);
  if (o.dryRun) {
    process.stdout.write(JSON.stringify(config, null, 2) + '\n');
    const crowded = o.redis ? undefined : concurrencyWarning(config.concurrency);
    if (crowded) process.stderr.write(`warning: ${crowded}\n`);
    const what =
      folder === undefined
        ? 'holds this campaign; a run would continue it'
        : folder === 'absent'
          ? 'does not exist; a run would create it'
          : 'is empty; a run would write into it';
    process.stderr.write(`dry run: output folder ${resolve(dir)} ${what}. Nothing was written.\n`);
    return;
  }

  // 2. The dashboard first: a port in use fails before anything is written, Redis or the pool touched.
  let dashboard: Dashboard | undefined;
  if (o.dashboard || o.dashboardPort !== undefined) {
    dashboard = await startSearchDashboard(dir, o);
    process.stderr.write(`dashboard: ${dashboard.url}\n`);
  }
  // Until the run's own handlers take over: a signal exits, and the lock is released on exit.
  const early = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: stopping before the campaign started\n`);
    process.exit(130);
  };
  const lateSignals = () => {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
  };
  let lock: CampaignLock | undefined;
  let created = false;
  try {
    // 3. The folder's lock: one campaign process per folder, until this one exits. Then the queue.
    if (folder === 'absent') created = ensureDir(dir);
    lock = acquireLock(dir, {
      force: o.forceUnlock,
      onNote: (m) => process.stderr.write(`pyramid-nas search: ${m}\n`),
    });
    process.on('SIGINT', early);
    process.on('SIGTERM', early);
    await runWithQueue(config, dir, source, space, o, lock, lateSignals, dashboard, inputs);
  } finally {
    lateSignals();
    await dashboard?.close();
    lock?.release();
    // A folder this run created and never wrote into (the lock was refused, Redis was unreachable…) goes.
    if (created) removeIfEmpty(dir);
  }
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir); // fails (harmlessly) unless empty
  } catch {
    // not empty, or already gone
  }
}

async function runWithQueue(
  config: ResolvedCampaign,
  dir: string,
  source: string,
  space: ReturnType<typeof campaignSpace>,
  o: SearchOpts,
  lock: CampaignLock,
  takeSignals: () => void,
  dashboard?: Dashboard,
  inputs?: CampaignInputs,
): Promise<void> {
  const reporter: Reporter = o.json ? jsonReporter() : barReporter();
  // Assigned once, but after the signal handler that closes it is installed.
  // eslint-disable-next-line prefer-const
  let run: CampaignQueue | undefined;
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    reporter.stop();
    process.stderr.write(
      `\n${sig}: stopping. The journal is intact; continue with: pyramid-nas search --resume ${dir}${o.redis ? ` --redis ${redact(o.redis)}` : ''}\n`,
    );
    void Promise.allSettled([run?.close(), dashboard?.close()]).finally(() => {
      process.exit(130); // the lock is released on exit
    });
  };
  takeSignals();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  run = await createQueue(config, {
    redis: o.redis,
    limits: o.limits,
    raiseLimitsWith: 'pyramid-nas search --limits',
    warn: (m) => reporter.warn(m),
    info: (m) => reporter.info(m),
  });
  const queue = run.queue;
  if (o.redis)
    reporter.info(
      `queue ${config.name} on ${redact(o.redis)}: start workers with  pyramid-nas worker --redis ${redact(o.redis)} --campaign ${config.name}`,
    );

  // 4. Run.
  try {
    const summary = await runCampaign(
      config,
      {
        space,
        createController: () => campaignController(config, space, source),
        queue,
        onEvent: (ev) => reporter.onEvent(ev),
        ...inputs,
      },
      { dir, resume: Boolean(o.resume), lock },
    );
    reporter.stop();
    const abs = resolve(dir);
    if (o.json) {
      process.stdout.write(
        JSON.stringify({
          event: 'result',
          reason: summary.reason,
          output: abs,
          stats: summary.stats,
          best: summary.best
            ? {
                trialId: summary.best.trialId,
                hash: summary.best.hash,
                reward: summary.best.reward,
                AP: summary.best.metrics!.AP,
                macs: summary.best.metrics!.macs,
                params: summary.best.metrics!.params,
                costs: { scope: 'neck', ...proxyShape(config.proxy) },
                file: join(abs, 'best.graph.json'),
              }
            : null,
          baselines: summary.baselines.map((b) => ({
            name: b.name,
            trialId: b.trialId,
            status: b.status ?? 'untold',
            ...(b.metrics ? { AP: b.metrics.AP, macs: b.metrics.macs, params: b.metrics.params } : {}),
          })),
        }) + '\n',
      );
    } else {
      process.stdout.write(
        `campaign ${config.name} finished (${summary.reason}): ${summary.stats.told} trials, ${summary.stats.failed} failed, ${summary.stats.invalid} invalid\n`,
      );
      const untold = summary.stats.asked - summary.stats.told;
      if (untold > 0)
        process.stdout.write(
          `${untold} trial(s) still running after the wall-time grace period were cancelled; they stay asked but untold, and --resume runs them again\n`,
        );
      process.stdout.write(bestLine({ ...summary, config }) + '\n');
      if (summary.stats.ledger) process.stdout.write(`spent: ${ledgerText(summary.stats.ledger)}\n`);
      for (const line of baselineLines(summary.baselines, summary.best?.metrics?.AP)) process.stdout.write(line + '\n');
      process.stdout.write(`outputs: ${abs}${summary.best ? `  (best graph: ${join(abs, 'best.graph.json')})` : ''}\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await run.close();
  }
}

export function register(program: Command): void {
  program
    .command('search')
    .description('run a search campaign (embedded, or through BullMQ with --redis)')
    .argument('[campaign]', 'campaign file (JSON)')
    .option('--redis <url>', 'enqueue trials on BullMQ: redis://[user:pass@]host:port[/db] or rediss://…')
    .option('--json', 'JSON log lines (pino) instead of the progress bar')
    .option('--resume <dir>', 'continue the campaign in this output folder (results/<campaign>)')
    .option('--dry-run', 'validate the campaign and its output folder, print the resolved config; write nothing')
    .option(
      '--force-unlock',
      'take the output folder even if its lock names a live process (use when that process is known to be gone)',
    )
    .option(
      '--limits <json>',
      `trial resource limits, e.g. '{"imageSize":512}' (defaults ${JSON.stringify(DEFAULT_JOB_LIMITS)}); with --redis, start the workers with the same`,
      limitsArg,
    )
    .option('--dashboard', 'serve the live dashboard on 127.0.0.1 while the campaign runs (URL on stderr)')
    .option('--dashboard-port <n>', 'its port (default 8080; 0: any free one); implies --dashboard', portArg)
    .action(async (file: string | undefined, o: SearchOpts) => {
      try {
        await search(file, o);
        process.exit(0);
      } catch (err) {
        reportError(err, o.json);
        process.exit(exitCodeOf(err));
      }
    });
}
