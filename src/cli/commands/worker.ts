// `pyramid-nas worker --redis URL [--concurrency N] [--campaign NAME | --all]`: runs trials from BullMQ
// with the sandboxed processor. SIGINT/SIGTERM: stop taking jobs and let running trials finish (a second
// signal abandons them: their locks expire and another worker retries them).
import { type Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';

import { startWorkers } from '../../../workers/bullmq-worker.js';
import { DEFAULT_RECYCLE_POLICY } from '../../../workers/child-lifecycle.js';
import { DEFAULT_JOB_LIMITS, type JobLimits } from '../../../workers/job-limits.js';
import { CAMPAIGN_NAME } from '../../campaign/config.js';
import { exitCodeOf } from '../../util/errors.js';
import { connectRedis, redact, waitReady, warnIfEvicting } from '../../util/redis-connection.js';
import { limitsArg } from '../options.js';

interface WorkerOpts {
  redis: string;
  concurrency: number;
  campaign?: string[];
  all?: boolean;
  json?: boolean;
  lockDuration?: number;
  stalledInterval?: number;
  maxTrialsPerChild: number;
  maxChildRssMb: number;
  limits?: JobLimits;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
}

function campaignName(v: string, prev: string[] = []): string[] {
  if (!CAMPAIGN_NAME.test(v)) throw new InvalidArgumentError(`campaign names match [A-Za-z0-9_-]{1,64}, got "${v}"`);
  return [...prev, v];
}

async function work(o: WorkerOpts): Promise<void> {
  if (!o.all && !o.campaign?.length) throw new InvalidArgumentError('give --campaign NAME (repeatable) or --all');
  const logger = pino({ base: undefined }, pino.destination({ dest: o.json ? 1 : 2, sync: true }));
  const log = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) => {
    if (o.json) logger[level](fields, msg);
    else
      process.stderr.write(
        `${level === 'info' ? '' : `${level}: `}${msg}${
          Object.keys(fields).length
            ? ' ' +
              Object.entries(fields)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')
            : ''
        }\n`,
      );
  };
  const redis = connectRedis(o.redis);
  // Start-up errors are waitReady's to report; outages after it, startWorkers's (one line per outage).
  redis.on('error', () => {});
  await waitReady(redis, o.redis);
  await warnIfEvicting(redis, (m) => log('warn', m));
  const pool = await startWorkers({
    connection: redis,
    campaigns: o.all ? 'all' : o.campaign!,
    concurrency: o.concurrency,
    lockDuration: o.lockDuration,
    stalledInterval: o.stalledInterval,
    pool: { maxTrialsPerChild: o.maxTrialsPerChild, maxChildRssMB: o.maxChildRssMb, limits: o.limits },
    log,
  });
  log('info', 'worker ready', {
    redis: redact(o.redis),
    concurrency: o.concurrency,
    queues: o.all ? 'all' : pool.queues.join(',') || '(none yet)',
    ...(pool.waitingFor.length ? { waitingFor: pool.waitingFor.join(',') } : {}),
  });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        log('warn', `${sig} again: abandoning running trials (they will be retried elsewhere)`);
        void pool.close(true).finally(resolve);
        return;
      }
      stopping = true;
      log('info', `${sig}: finishing running trials, then exiting (signal again to abandon them)`);
      void pool.close(false).finally(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  redis.disconnect();
  log('info', 'worker stopped');
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run trials from BullMQ/Redis (start as many as you have machines)')
    .requiredOption('--redis <url>', 'redis://[user:pass@]host:port[/db] or rediss://…')
    .option('--concurrency <n>', 'trials at once in this process (one child process each)', positiveInt, 1)
    .option('--campaign <name>', 'serve this campaign (repeatable)', campaignName)
    .option('--all', 'serve every campaign queue found in Redis (re-checked every 5 s)')
    .option('--json', 'JSON log lines (pino)')
    .option(
      '--max-trials-per-child <n>',
      'replace a trial process after this many trials',
      positiveInt,
      DEFAULT_RECYCLE_POLICY.maxTrialsPerChild,
    )
    .option(
      '--max-child-rss-mb <mb>',
      'replace a trial process whose resident memory exceeds this after a trial',
      positiveInt,
      DEFAULT_RECYCLE_POLICY.maxChildRssMB,
    )
    .option(
      '--limits <json>',
      `raise or lower job resource limits, e.g. '{"imageSize":512}' (defaults ${JSON.stringify(DEFAULT_JOB_LIMITS)})`,
      limitsArg,
    )
    // Stall detection timing (BullMQ defaults 30 s); short values are for the fault tests.
    .addOption(new Option('--lock-duration <ms>', 'job lock duration').argParser(positiveInt).hideHelp())
    .addOption(new Option('--stalled-interval <ms>', 'stalled-job check interval').argParser(positiveInt).hideHelp())
    .action(async (o: WorkerOpts) => {
      try {
        await work(o);
        process.exit(0);
      } catch (err) {
        process.stderr.write(`pyramid-nas worker: ${(err as Error).message}\n`);
        process.exit(err instanceof InvalidArgumentError ? 2 : exitCodeOf(err));
      }
    });
}
