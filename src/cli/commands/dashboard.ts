// `pyramid-nas dashboard results/<campaign> [more…] [--port 8080] [--host 127.0.0.1] [--redis URL] [--token T]`:
// serves the live dashboard of one or more campaigns (or of a study folder's campaigns) until SIGINT/SIGTERM. Read-only: it tails the
// journals and, with --redis, reads the campaigns' BullMQ queues. Bad input exits 2 with a message.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { DashboardOptionsError, isStudyFolder, startDashboard } from '../../dashboard/index.js';
import { exitCodeOf } from '../../util/errors.js';

interface DashboardCliOpts {
  port: number;
  host: string;
  redis?: string;
  token?: string;
}

function portArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError(`expected a port number 0..65535, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('dashboard')
    .description('live dashboard of campaigns in the browser (trials, AP curves, Pareto fronts, pyramids)')
    .argument(
      '<dirs...>',
      'campaign output folders (results/<campaign>), or study folders (all their campaigns); several are compared side by side',
    )
    .option('--port <n>', 'port (0: any free one)', portArg, 8080)
    .option('--host <addr>', 'address to bind; anything but loopback requires --token', '127.0.0.1')
    .option('--redis <url>', "redis://… of the campaigns' BullMQ queues: show running trials and their progress")
    .option(
      '--token <t>',
      'required on every request (?token=, Authorization: Bearer, X-Dashboard-Token); default: PYRAMID_NAS_DASHBOARD_TOKEN',
    )
    .action(async (dirs: string[], o: DashboardCliOpts) => {
      const token = o.token ?? process.env.PYRAMID_NAS_DASHBOARD_TOKEN;
      try {
        for (const d of dirs) {
          if (!existsSync(join(d, 'journal.jsonl')) && !isStudyFolder(d)) {
            throw new DashboardOptionsError(
              'dirs',
              `${d}: no journal.jsonl here: is this a campaign output folder (results/<campaign>) or a study folder (with campaigns/)?`,
            );
          }
        }
        const dash = await startDashboard({ dirs, port: o.port, host: o.host, token, redis: o.redis });
        process.stdout.write(`dashboard: ${dash.url}${token ? `?token=${encodeURIComponent(token)}` : ''}\n`);
        const stop = () => {
          void dash.close().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (err) {
        process.stderr.write(`pyramid-nas dashboard: ${(err as Error).message}\n`);
        process.exit(exitCodeOf(err));
      }
    });
}
