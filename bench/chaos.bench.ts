// `npm run bench:chaos -- [--seed N] [--faults N] [--trials N] [--workers N] [--concurrency N] [--delay MIN,MAX] [--keep]`
//
// A fake-trainer campaign through BullMQ on a private redis-server (free port, own folder), with random
// faults injected one at a time while it runs:
//   kill-worker      SIGKILL a worker process (and its trial processes); a replacement starts;
//   kill-campaign    SIGKILL the `search` process, then `search --resume` it;
//   crash-redis      SIGKILL redis-server and restart it from what its persistence mode left on disk
//                    (none: empty; rdb `--save 1 1`: its last snapshot; aof everysec), then maybe switch
//                    the mode for the next crash.
// The seed fixes the campaign, the kinds of faults, the waits between them and the persistence modes; the
// moments they strike relative to the trials vary with timing. At the end it prints the faults by kind,
// trials lost (asked, never told), trials told twice, trials recomputed (trained more than once, counted
// from the fake trainer's start log), and whether the journal equals a fault-free run of the same seed
// (same proposal, status, AP and reward at every index). Exit 0 when nothing was lost or told twice and the
// journals match; 1 otherwise; 2 for bad arguments. Workers run with a 2 s lock and a 1 s stall check
// (the hidden worker flags), so a killed worker's trial is retried within seconds.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import seedrandom from 'seedrandom';

import { runCampaign } from '../src/campaign/campaign.js';
import { type CampaignInput, resolveCampaign } from '../src/campaign/config.js';
import { campaignController, campaignSpace } from '../src/campaign/factory.js';
import { readJournal } from '../src/campaign/journal.js';
import { EmbeddedQueue } from '../src/campaign/queue/embedded.js';
import { inlineRunner } from '../src/campaign/queue/inline-runner.js';
import { createFakeTrainer, type FakeSpec } from '../src/testing/fake-trainer.js';
import { type CliProcess, killGroup, startCli, stopGroup } from './chaos/processes.js';
import { ChaosRedis, type Persistence, PERSISTENCE_MODES } from './chaos/redis-server.js';
import { compareWithReference, startsPerTrial, tallyJournal, trialsOf } from './chaos/tally.js';

// --- arguments ----------------------------------------------------------------------------------------
const USAGE =
  'usage: npm run bench:chaos -- [--seed N] [--faults N] [--trials N] [--workers N] [--concurrency N] [--delay MIN,MAX] [--keep]';

function usageError(message: string): never {
  process.stderr.write(`bench:chaos: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function intArg(name: string, text: string | undefined, def: number, min: number, max: number): number {
  if (text === undefined) return def;
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || n < min || n > max)
    usageError(`--${name}: expected an integer in [${min}, ${max}], got "${text}"`);
  return n;
}

const OPTIONS = {
  seed: { type: 'string' },
  faults: { type: 'string' },
  trials: { type: 'string' },
  workers: { type: 'string' },
  concurrency: { type: 'string' },
  delay: { type: 'string' },
  keep: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;
function parse() {
  try {
    return parseArgs({ options: OPTIONS, strict: true }).values;
  } catch (err) {
    return usageError((err as Error).message);
  }
}
const parsed = parse();
if (parsed.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const SEED = intArg('seed', parsed.seed, 1, -(2 ** 31), 2 ** 31 - 1);
const FAULTS = intArg('faults', parsed.faults, 8, 0, 1000);
const TRIALS = intArg('trials', parsed.trials, 40, 2, 100_000);
const WORKERS = intArg('workers', parsed.workers, 3, 1, 64);
const CONCURRENCY = intArg('concurrency', parsed.concurrency, 3, 1, 64);
const delayText = parsed.delay ?? '300,900';
const delayMatch = /^(\d+),(\d+)$/.exec(delayText);
if (!delayMatch || Number(delayMatch[1]) > Number(delayMatch[2]))
  usageError(`--delay: expected MIN,MAX milliseconds with MIN ≤ MAX, got "${delayText}"`);
const DELAY: [number, number] = [Number(delayMatch[1]), Number(delayMatch[2])];

// --- set-up -------------------------------------------------------------------------------------------
const rng = seedrandom(`chaos:${SEED}`);
const uniform = (lo: number, hi: number) => lo + rng() * (hi - lo);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = performance.now();
const clock = () => `${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
const say = (line: string) => process.stdout.write(`[${clock()}] ${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const root = mkdtempSync(join(tmpdir(), 'pyramid-nas-chaos-'));
const logs = join(root, 'logs');
mkdirSync(logs);
const name = `chaos-${SEED < 0 ? 'm' : ''}${Math.abs(SEED)}-${process.pid}`;
const dir = join(root, 'campaign');
const startLog = join(root, 'starts');
const journal = join(dir, 'journal.jsonl');
const input: CampaignInput = {
  name,
  seed: SEED,
  space: { name: 'nas-fpn' },
  // Evolution: its proposals depend on every earlier result, so any lost, doubled or reordered result shows.
  controller: { kind: 'evolution', options: { populationSize: 6, sampleSize: 3 } },
  budget: { trials: TRIALS },
  concurrency: CONCURRENCY,
  retry: { attempts: 5, backoffMs: 200 },
  snapshotEvery: 5,
};
const spec: FakeSpec = { delayMs: DELAY, logDir: startLog };
const env: NodeJS.ProcessEnv = { ...process.env, PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify(spec) };

let redis: ChaosRedis | undefined;
const workers: CliProcess[] = [];
const searches: CliProcess[] = [];
let workerSerial = 0;
let shuttingDown = false;
const unplanned: string[] = [];

async function cleanup(): Promise<void> {
  shuttingDown = true;
  await Promise.all([...workers, ...searches].map((p) => killGroup(p, 'SIGKILL')));
  await redis?.stop();
  if (!parsed.keep) rmSync(root, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

function startWorker(): CliProcess {
  const n = ++workerSerial;
  const w = startCli(
    `worker-${n}`,
    [
      'worker',
      '--redis',
      redis!.url,
      '--campaign',
      name,
      '--concurrency',
      '1',
      '--lock-duration',
      '2000',
      '--stalled-interval',
      '1000',
    ],
    env,
    join(logs, `worker-${n}.log`),
  );
  workers.push(w);
  // A worker that ends without being told to is a finding; another takes its place.
  void w.exited.then(async (code) => {
    if (w.planned || shuttingDown) return;
    unplanned.push(`${w.label} exited with ${code ?? w.child.signalCode} (log ${w.log})`);
    say(`${w.label} exited unplanned (${code ?? w.child.signalCode}); starting another`);
    await sleep(1000);
    if (!shuttingDown) startWorker();
  });
  return w;
}

function startSearch(resume: boolean): CliProcess {
  const n = searches.length + 1;
  const args = resume
    ? ['search', '--resume', dir, '--redis', redis!.url, '--json']
    : ['search', join(root, 'campaign.json'), '--redis', redis!.url, '--json'];
  const s = startCli(`search-${n}`, args, env, join(logs, `search-${n}.log`));
  searches.push(s);
  return s;
}

const campaign = () => searches[searches.length - 1];
const aliveWorkers = () => workers.filter((w) => w.alive() && !w.planned);
const countEvents = (type: string) => {
  try {
    return readJournal(journal).filter((e) => e.type === type).length;
  } catch {
    return 0;
  }
};

async function waitUntil(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(50);
  }
}

/** Keeps the campaign running: an unplanned exit other than success is noted, and the campaign resumed. */
async function superviseCampaign(): Promise<number | null> {
  for (let unplannedExits = 0; ;) {
    const s = campaign();
    const code = await s.exited;
    if (s.planned) {
      // Killed by a fault: follow the process that resumes it.
      await waitUntil('the resumed campaign', () => campaign() !== s || shuttingDown, 60_000);
      if (shuttingDown) return code;
      continue;
    }
    if (code === 0) return 0;
    unplanned.push(`${s.label} exited with ${code ?? s.child.signalCode} (log ${s.log})`);
    if (++unplannedExits > 3 || shuttingDown) return code;
    say(`${s.label} exited unplanned (${code ?? s.child.signalCode}); resuming`);
    await sleep(1000);
    startSearch(true);
  }
}

// --- faults -------------------------------------------------------------------------------------------
type FaultKind = 'kill-worker' | 'kill-campaign' | 'crash-redis';
const FAULT_KINDS: readonly FaultKind[] = ['kill-worker', 'kill-campaign', 'crash-redis'];
const injected = new Map<string, number>();

async function inject(kind: FaultKind): Promise<string> {
  if (kind === 'kill-worker' && aliveWorkers().length > 0) {
    const w = pick(aliveWorkers());
    await killGroup(w, 'SIGKILL');
    await sleep(uniform(0, 1000));
    startWorker();
    return `kill-worker (${w.label})`;
  }
  if (kind !== 'crash-redis') {
    const resumedBefore = countEvents('campaign-resumed');
    await killGroup(campaign(), 'SIGKILL');
    await sleep(uniform(0, 1500));
    const s = startSearch(true);
    // The next fault strikes a running campaign, not one still starting up.
    await waitUntil(
      `${s.label} to resume`,
      () => countEvents('campaign-resumed') > resumedBefore || !s.alive(),
      60_000,
    );
    return 'kill-campaign';
  }
  const r = redis!;
  const mode = r.mode;
  await r.crash();
  await sleep(uniform(300, 2500));
  await r.restart();
  const next: Persistence = pick(PERSISTENCE_MODES);
  await r.switchTo(next);
  return `crash-redis (${mode === 'none' ? 'no persistence' : mode === 'rdb' ? 'RDB, save 1 1' : 'AOF, everysec'})${next !== mode ? `, now ${next}` : ''}`;
}

// --- run ----------------------------------------------------------------------------------------------
async function reference(): Promise<ReturnType<typeof trialsOf>> {
  const refDir = join(root, 'reference');
  const cfg = resolveCampaign({ ...input, output: refDir });
  const space = campaignSpace(cfg);
  const q = new EmbeddedQueue(inlineRunner(createFakeTrainer({})), {
    concurrency: cfg.concurrency,
    attempts: cfg.retry.attempts,
    backoffMs: 1,
  });
  try {
    await runCampaign(
      cfg,
      { space, createController: () => campaignController(cfg, space), queue: q },
      { dir: refDir, resume: false },
    );
  } finally {
    await q.close();
  }
  return trialsOf(readJournal(join(refDir, 'journal.jsonl')));
}

async function main(): Promise<number> {
  const firstMode = pick(PERSISTENCE_MODES);
  redis = await ChaosRedis.start(await freePort(), join(root, 'redis'), firstMode);
  say(
    `seed ${SEED}: ${TRIALS} trials, campaign concurrency ${CONCURRENCY}, ${WORKERS} workers, fake trials of ${DELAY[0]}–${DELAY[1]} ms, ${FAULTS} faults; redis-server on ${redis.url} (${firstMode}); files in ${root}`,
  );
  const ref = await reference();
  writeFileSync(join(root, 'campaign.json'), JSON.stringify({ ...input, output: dir }));
  startSearch(false);
  // Workers start once the queue exists (its first job is in Redis).
  await waitUntil('the campaign to ask its first trial', () => countEvents('asked') > 0 || !campaign().alive(), 60_000);
  for (let i = 0; i < WORKERS; i++) startWorker();
  const supervised = superviseCampaign();
  let done = false;
  void supervised.then(() => (done = true));

  for (let f = 0; f < FAULTS && !done; f++) {
    await sleep(uniform(800, 2500));
    const told = tallyJournal(journal).told;
    if (done || told >= TRIALS) break;
    const kind = pick(FAULT_KINDS);
    const what = await inject(kind);
    const key = what.replace(/\s*\(worker-\d+\)$/, '').replace(/, now \w+$/, '');
    injected.set(key, (injected.get(key) ?? 0) + 1);
    say(`fault ${f + 1}/${FAULTS}: ${what} at ${told}/${TRIALS} told`);
  }
  const faultCount = [...injected.values()].reduce((a, b) => a + b, 0);
  if (faultCount < FAULTS) say(`the campaign finished after ${faultCount} of ${FAULTS} faults`);

  // Generous: every trial serially, plus a minute per fault for stall detection, retries and resumes.
  const limitMs = 60_000 + TRIALS * DELAY[1] + 60_000 * faultCount;
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    supervised,
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), limitMs))),
  ]);
  clearTimeout(timer);
  const elapsed = (performance.now() - t0) / 1000;
  shuttingDown = true;
  await Promise.all(workers.map((w) => stopGroup(w, 3000)));

  // --- report -----------------------------------------------------------------------------------------
  const j = tallyJournal(journal);
  const starts = startsPerTrial(startLog);
  const recomputed = [...starts]
    .filter(([, n]) => n > 1)
    .sort((a, b) => Number(a[0].split('-').pop()) - Number(b[0].split('-').pop()));
  const extra = recomputed.reduce((s, [, n]) => s + n - 1, 0);
  const diffs = compareWithReference(trialsOf(readJournal(journal)), ref);
  const finished = code === 0 && j.finished && j.told === TRIALS;
  const byKind = [...injected]
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    '',
    `chaos (seed ${SEED}): ${TRIALS} trials, ${WORKERS} workers, campaign concurrency ${CONCURRENCY}, fake trials ${DELAY[0]}–${DELAY[1]} ms`,
    `faults injected: ${faultCount}${byKind ? ` (${byKind})` : ''}`,
    `campaign: ${finished ? 'finished' : code === 'timeout' ? `did not finish within ${Math.round(limitMs / 1000)} s` : `ended with exit code ${code}`} after ${elapsed.toFixed(1)} s; ` +
      `${searches.length} search processes (${j.resumes} resumes), ${workerSerial} worker processes`,
    `unplanned process exits: ${unplanned.length}${unplanned.length ? `\n  ${unplanned.join('\n  ')}` : ''}`,
    `trials asked: ${j.asked}, told: ${j.told}`,
    `trials lost (asked, never told): ${j.lost.length}${j.lost.length ? ` (indices ${j.lost.join(', ')})` : ''}`,
    `trials told twice: ${j.toldTwice.length}${j.toldTwice.length ? ` (indices ${j.toldTwice.join(', ')})` : ''}${j.askedTwice.length ? `; asked twice: ${j.askedTwice.join(', ')}` : ''}`,
    `trials recomputed (trained more than once): ${recomputed.length}, ${extra} extra trainings${recomputed.length ? ` (${recomputed.map(([id, n]) => `${id.split('-').pop()}×${n}`).join(', ')})` : ''}`,
    `journal equals the fault-free reference (proposal, status, AP, reward at every index): ${
      diffs.length === 0
        ? 'yes'
        : `NO, ${diffs.length} differences:\n  ${diffs
            .slice(0, 10)
            .map((d) => `#${d.index}: ${d.what}`)
            .join('\n  ')}`
    }`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const ok =
    finished && j.lost.length === 0 && j.toldTwice.length === 0 && j.askedTwice.length === 0 && diffs.length === 0;
  if (!ok) {
    const last = readFileSync(campaign().log, 'utf8').split('\n').slice(-6).join('\n');
    process.stdout.write(
      `FAILED. Last lines of ${campaign().log}:\n${last}\n${parsed.keep ? `logs kept in ${root}` : 'rerun with --keep to keep the logs'}\n`,
    );
  }
  return ok ? 0 : 1;
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (err) => {
    process.stderr.write(`bench:chaos: ${(err as Error).stack ?? err}\n`);
    await cleanup();
    process.exit(1);
  },
);
