// `pyramid-nas clean --redis URL --campaign NAME [--force]`: removes a campaign's BullMQ queue (all its
// keys) from Redis and prints what it removed. Refuses (exit 2, nothing removed) while jobs are active
// unless --force, and for a campaign with no queue (listing the ones that exist).
import { type Command, InvalidArgumentError } from 'commander';

import { CAMPAIGN_NAME } from '../../campaign/config.js';
import { cleanCampaignQueue, JOB_STATES } from '../../campaign/queue/clean.js';
import { exitCodeOf } from '../../util/errors.js';
import { connectRedis, redact, waitReady } from '../../util/redis-connection.js';

interface CleanOpts {
  redis: string;
  campaign: string;
  force?: boolean;
}

function campaignName(v: string): string {
  if (!CAMPAIGN_NAME.test(v)) throw new InvalidArgumentError(`campaign names match [A-Za-z0-9_-]{1,64}, got "${v}"`);
  return v;
}

async function clean(o: CleanOpts): Promise<void> {
  const redis = connectRedis(o.redis);
  redis.on('error', () => {}); // waitReady reports start-up errors; a later drop fails the command below
  try {
    await waitReady(redis, o.redis);
    const r = await cleanCampaignQueue(redis, o.campaign, { force: o.force });
    const jobs = JOB_STATES.filter((s) => r.jobs[s] > 0).map((s) => `${r.jobs[s]} ${s}`);
    process.stdout.write(
      `removed campaign queue "${r.campaign}" from ${redact(o.redis)}: ${jobs.length ? `${jobs.join(', ')} job(s)` : 'no jobs'}, ${r.keys} key(s)\n`,
    );
  } finally {
    redis.disconnect();
  }
}

export function register(program: Command): void {
  program
    .command('clean')
    .description("remove a campaign's BullMQ queue (jobs, results, bookkeeping keys) from Redis")
    .requiredOption('--redis <url>', 'redis://[user:pass@]host:port[/db] or rediss://…')
    .requiredOption('--campaign <name>', 'the campaign whose queue to remove', campaignName)
    .option('--force', 'remove it even while workers are training its jobs (their results are lost)')
    .action(async (o: CleanOpts) => {
      try {
        await clean(o);
        process.exit(0);
      } catch (err) {
        process.stderr.write(`pyramid-nas clean: ${(err as Error).message}\n`);
        process.exit(exitCodeOf(err));
      }
    });
}
