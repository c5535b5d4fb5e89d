// `pyramid-nas study STUDY.json [--redis URL] [--out DIR] [--report | --export [DIR]]`: runs a study's
// campaigns × seeds (embedded, or on BullMQ with --redis), evaluates their winners and the baselines on the
// test split (and on the transfer dataset), and writes report.md with its pictures into the study folder.
// Resumable: run the same command again after a stop and it continues where it stopped. --report rewrites
// and prints the report from the folder's files without training; --export writes the pyramid the study
// discovered (best held-out reward) with its provenance, also without training. Bad input exits 2 before
// anything runs.
import type { Command } from 'commander';

import type { Reporter } from '../../campaign/progress.js';
import { DISCOVERED_DIR } from '../../graph/zoo.js';
import { exitCodeOf, isUsageError, PyramidNasError } from '../../util/errors.js';
import { redact } from '../../util/redis-connection.js';

interface StudyOpts {
  redis?: string;
  out?: string;
  report?: boolean;
  /** true: --export without a folder (the default one). */
  export?: string | true;
}

async function study(file: string, o: StudyOpts): Promise<void> {
  const s = await import('../../study/index.js');
  const plan = await s.planStudy(s.loadStudyFile(file), file, o.out);
  const command = `pyramid-nas study ${file}${o.out ? ` --out ${o.out}` : ''} --report`;
  if (o.export !== undefined) {
    const dir = o.export === true ? DISCOVERED_DIR : o.export;
    const r = s.exportDiscovered(plan, dir, {
      command: `pyramid-nas study ${file}${o.out ? ` --out ${o.out}` : ''} --export ${dir}`,
    });
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    const t = (r.graph.meta as { discovered: { testAP?: { mean: number } } }).discovered.testAP;
    process.stderr.write(
      `${r.winner.record.trialId} (${r.winner.run.id}): best held-out reward ${r.winner.record.reward!.toFixed(4)}, ` +
        `held-out AP ${r.winner.record.metrics!.AP.toFixed(4)}${t ? `, test AP ${t.mean.toFixed(4)} (reported, not selected on)` : ''}; hash ${r.hash.slice(0, 12)}\n`,
    );
    for (const f of r.files) process.stdout.write(`${f}\n`);
    return;
  }
  if (o.report) {
    process.stdout.write(`${s.studyReport(plan, command).markdown}\n`);
    return;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { barReporter } = await import('../../campaign/progress.js');
  let reporter: Reporter | undefined;
  let current: { close(): Promise<void> } | undefined;
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    reporter?.stop();
    log(
      `\n${sig}: stopping. Every journal is intact; continue with: pyramid-nas study ${file}${o.out ? ` --out ${o.out}` : ''}${o.redis ? ` --redis ${redact(o.redis)}` : ''}`,
    );
    void Promise.allSettled([current?.close()]).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const ran = await s.runStudyCampaigns(plan, {
      queue: o.redis ? { redis: o.redis } : {},
      log: (line) => (reporter ? reporter.info(line) : log(line)),
      onQueue: (q) => {
        current = q;
        reporter = barReporter();
      },
      onEvent: (_p, ev) => reporter?.onEvent(ev),
      afterCampaign: (p, summary) => {
        reporter?.stop();
        reporter = undefined;
        const best = summary.best?.metrics
          ? `best AP ${summary.best.metrics.AP.toFixed(4)} (${summary.best.trialId})`
          : 'no trial completed';
        log(`${p.id}: finished (${summary.reason}), ${summary.stats.told} trials, ${best}`);
      },
    });
    log(`campaigns: ${ran.ran.length} run, ${ran.resumed.length} resumed, ${ran.skipped.length} already finished`);
    const train = await s.studyEvalTrainer();
    const hooks = { log, isTrainingFailure: isDivergence };
    const ev = await s.evaluateStudy(plan, { train, hooks });
    const tr = await s.evaluateTransfer(plan, { train, hooks });
    const failed = ev.failed.length + (tr?.failed.length ?? 0);
    const report = s.studyReport(plan, command);
    process.stdout.write(`${report.markdown}\n`);
    log(`wrote ${report.files.report}, ${report.files.trials}, ${report.files.cpu}`);
    if (failed > 0) {
      log(`${failed} evaluation training(s) failed; run the same command again to retry them`);
      process.exitCode = 1;
    }
  } finally {
    reporter?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A training that diverged: reported and retried on the next run, as `evaluate` does. */
function isDivergence(err: unknown): boolean {
  return err instanceof PyramidNasError && (err.code === 'NAN_LOSS' || err.code === 'ABORTED');
}

export function register(program: Command): void {
  program
    .command('study')
    .description('run campaigns × seeds, evaluate their winners on the test split, write report.md (resumable)')
    .argument('<study>', 'study file (JSON): campaigns, seeds, proxy task, evaluation, transfer')
    .option('--redis <url>', 'run the campaigns on BullMQ (start `pyramid-nas worker --redis URL --all` beside it)')
    .option('--out <dir>', 'study folder (default: the study’s "output", else results/<name>)')
    .option('--report', 'rewrite and print report.md from the study folder’s files; train nothing')
    .option(
      '--export [dir]',
      `write the pyramid with the best held-out reward (graph JSON with provenance, SVG, PyTorch) into dir; train nothing (default dir: ${DISCOVERED_DIR})`,
    )
    .action(async (file: string, o: StudyOpts) => {
      try {
        if (o.export !== undefined && (o.report || o.redis))
          throw new PyramidNasError(
            'BAD_OPTIONS',
            `--export cannot be combined with ${o.report ? '--report' : '--redis'}`,
            {
              usage: true,
              where: { option: 'export' },
            },
          );
        await study(file, o);
        process.exit(process.exitCode ?? 0);
      } catch (err) {
        if (!(err instanceof PyramidNasError)) throw err;
        process.stderr.write(`pyramid-nas study: ${err.message}\n`);
        process.exit(isUsageError(err) ? 2 : exitCodeOf(err));
      }
    });
}
