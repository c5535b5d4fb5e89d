// `pyramid-nas search campaign.json [--redis URL] [--json] [--resume DIR] [--dry-run] [--dashboard [--dashboard-port N]]`:
// runs a campaign embedded (a pool of worker processes) or through BullMQ, with a progress bar or JSON
// logs, and ends by printing the best graph, its AP and the output folder. Bad input exits 2 before
// anything is written. --dashboard serves the live dashboard (loopback only) for as long as the run lasts.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Redis } from 'ioredis';
import { CampaignConfigError, loadCampaignFile, type ResolvedCampaign } from '../../campaign/config.js';
import { CampaignError, runCampaign, type CampaignSummary } from '../../campaign/campaign.js';
import { campaignController, campaignSpace } from '../../campaign/factory.js';
import { readCampaignDir } from '../../campaign/dir.js';
import { JournalError } from '../../campaign/journal.js';
import { barReporter, jsonReporter, type Reporter } from '../../campaign/progress.js';
import { EmbeddedQueue } from '../../campaign/queue/embedded.js';
import { BullmqQueue } from '../../campaign/queue/bullmq.js';
import type { TrialQueue } from '../../campaign/queue/types.js';
import { ProcessPool } from '../../../workers/process-pool.js';
import { connectRedis, redact, RedisUrlError, waitReady, warnIfEvicting } from '../../../workers/redis-connection.js';
// Type only: the dashboard module itself is imported on demand, so a plain `search` never loads it.
import type { Dashboard } from '../../dashboard/index.js';

interface SearchOpts {
  redis?: string;
  json?: boolean;
  resume?: string;
  dryRun?: boolean;
  dashboard?: boolean;
  dashboardPort?: number;
}

/** The dashboard could not start (port in use, …): the user's to fix, exit 2. */
class DashboardStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DashboardStartError';
  }
}

function portArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError(`expected a port number 0..65535, got "${v}"`);
  return n;
}

/** Starts the dashboard on 127.0.0.1 beside the campaign (the journal may not exist yet: it follows it). */
async function startSearchDashboard(dir: string, o: SearchOpts): Promise<Dashboard> {
  const { startDashboard, DashboardOptionsError } = await import('../../dashboard/index.js');
  try {
    return await startDashboard({ dirs: [dir], port: o.dashboardPort ?? 8080, host: '127.0.0.1', ...(o.redis ? { redis: o.redis } : {}) });
  } catch (err) {
    // Its messages name the dashboard command's options (--port); say which option of this one.
    if (err instanceof DashboardOptionsError) throw new DashboardStartError(err.message.replace(/^--(port|redis):/, (_m, k: string) => (k === 'port' ? '--dashboard-port:' : '--redis:')));
    throw err;
  }
}

/** Errors that mean "fix your input": exit 2. */
function isUsageError(err: unknown): boolean {
  return err instanceof CampaignConfigError || err instanceof RedisUrlError || err instanceof DashboardStartError || err instanceof JournalError || (err instanceof CampaignError && err.code === 'EXISTS');
}

function reportError(err: unknown, json: boolean | undefined): void {
  if (json) {
    const issues = err instanceof CampaignConfigError ? err.issues : undefined;
    process.stdout.write(JSON.stringify({ error: (err as Error).name, message: (err as Error).message, ...(err instanceof CampaignConfigError ? { file: err.file, issues } : {}) }) + '\n');
  }
  process.stderr.write(`pyramid-nas search: ${(err as Error).message}\n`);
}

function bestLine(s: CampaignSummary): string {
  if (!s.best) return `no trial completed (${s.stats.failed} failed, ${s.stats.invalid} invalid); see ${join(s.dir, 'trials.csv')}`;
  const m = s.best.metrics!;
  return `best: ${s.best.trialId} (hash ${s.best.hash.slice(0, 12)}) AP ${m.AP.toFixed(4)}, ${(m.macs / 1e6).toFixed(1)} MMACs, ${m.params} params`;
}

async function search(file: string | undefined, o: SearchOpts): Promise<void> {
  if (!file && !o.resume) throw new CampaignConfigError('(none)', [{ path: '$', message: 'give a campaign file, or --resume results/<campaign>' }]);
  if (file && o.resume) throw new CampaignConfigError(file, [{ path: '$', message: 'give a campaign file or --resume DIR, not both (a resumed campaign uses the config in its journal)' }]);

  // 1. Resolve and validate everything before writing anything.
  let config: ResolvedCampaign;
  let dir: string;
  if (o.resume) {
    const d = readCampaignDir(o.resume);
    config = d.config;
    dir = o.resume;
  } else {
    config = loadCampaignFile(file!);
    dir = config.output;
  }
  const source = file ?? join(dir, 'journal.jsonl');
  const space = campaignSpace(config, source);
  await campaignController(config, space, source); // validates the controller options now
  if (o.dryRun) {
    process.stdout.write(JSON.stringify(config, null, 2) + '\n');
    return;
  }
  if (!o.resume && existsSync(join(dir, 'journal.jsonl'))) {
    throw new CampaignError('EXISTS', `${dir} already holds a campaign journal; continue it with: pyramid-nas search --resume ${dir}`);
  }

  // 2. The dashboard (first: a port in use fails before Redis or the pool is touched), then the queue.
  let dashboard: Dashboard | undefined;
  if (o.dashboard || o.dashboardPort !== undefined) {
    dashboard = await startSearchDashboard(dir, o);
    process.stderr.write(`dashboard: ${dashboard.url}\n`);
  }
  try {
    await runWithQueue(config, dir, source, space, o, dashboard);
  } finally {
    await dashboard?.close();
  }
}

async function runWithQueue(config: ResolvedCampaign, dir: string, source: string, space: ReturnType<typeof campaignSpace>, o: SearchOpts, dashboard?: Dashboard): Promise<void> {
  const reporter: Reporter = o.json ? jsonReporter() : barReporter();
  let queue: TrialQueue;
  let redis: Redis | undefined;
  if (o.redis) {
    redis = connectRedis(o.redis);
    // Reconnects on its own and BullMQ commands wait (maxRetriesPerRequest: null): warn once per outage.
    let down = false;
    redis.on('error', (err) => {
      if (!down) reporter.warn(`Redis connection lost (${err.message}); reconnecting`);
      down = true;
    });
    redis.on('ready', () => {
      if (down) reporter.info('Redis reconnected');
      down = false;
    });
    await waitReady(redis, o.redis!);
    await warnIfEvicting(redis, (m) => reporter.warn(m));
    queue = new BullmqQueue({ campaign: config.name, connection: redis, attempts: config.retry.attempts, backoffMs: config.retry.backoffMs });
    reporter.info(`queue ${config.name} on ${redact(o.redis)}: start workers with  pyramid-nas worker --redis ${redact(o.redis)} --campaign ${config.name}`);
  } else {
    queue = new EmbeddedQueue(new ProcessPool({ size: config.concurrency }), { concurrency: config.concurrency, attempts: config.retry.attempts, backoffMs: config.retry.backoffMs });
  }

  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    reporter.stop();
    process.stderr.write(`\n${sig}: stopping. The journal is intact; continue with: pyramid-nas search --resume ${dir}${o.redis ? ` --redis ${redact(o.redis)}` : ''}\n`);
    void Promise.allSettled([queue.close(), dashboard?.close()]).finally(() => {
      redis?.disconnect();
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // 3. Run.
  try {
    const summary = await runCampaign(config, { space, createController: () => campaignController(config, space, source), queue, onEvent: (ev) => reporter.onEvent(ev) }, { dir, resume: Boolean(o.resume) });
    reporter.stop();
    const abs = resolve(dir);
    if (o.json) {
      process.stdout.write(JSON.stringify({
        event: 'result', reason: summary.reason, output: abs, stats: summary.stats,
        best: summary.best ? { trialId: summary.best.trialId, hash: summary.best.hash, AP: summary.best.metrics!.AP, macs: summary.best.metrics!.macs, params: summary.best.metrics!.params, file: join(abs, 'best.graph.json') } : null,
      }) + '\n');
    } else {
      process.stdout.write(`campaign ${config.name} finished (${summary.reason}): ${summary.stats.told} trials, ${summary.stats.failed} failed, ${summary.stats.invalid} invalid\n`);
      process.stdout.write(bestLine(summary) + '\n');
      process.stdout.write(`outputs: ${abs}${summary.best ? `  (best graph: ${join(abs, 'best.graph.json')})` : ''}\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await queue.close();
    redis?.disconnect();
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
    .option('--dry-run', 'validate the campaign and print the resolved config; write nothing')
    .option('--dashboard', 'serve the live dashboard on 127.0.0.1 while the campaign runs (URL on stderr)')
    .option('--dashboard-port <n>', 'its port (default 8080; 0: any free one); implies --dashboard', portArg)
    .action(async (file: string | undefined, o: SearchOpts) => {
      try {
        await search(file, o);
        process.exit(0);
      } catch (err) {
        reportError(err, o.json);
        process.exit(isUsageError(err) ? 2 : 1);
      }
    });
}
