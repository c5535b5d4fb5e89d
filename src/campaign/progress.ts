// How a running campaign reports: a cli-progress bar on stderr for people (trials done/total, running,
// failed, the best trial by reward with its AP, the campaign's ETA), or pino JSON lines for machines
// (`--json`).
import cliProgress from 'cli-progress';
import { type Logger, pino } from 'pino';

import { overBaselinesText } from './baselines.js';
import type { CampaignEvent } from './events.js';
import type { LedgerView } from './ledger.js';
import { bestText } from './records.js';
import type { CampaignStats } from './stats.js';

export interface Reporter {
  onEvent(ev: CampaignEvent): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  stop(): void;
}

// Synchronous writes: log lines and the final result line must come out in order, and none may be lost
// at process.exit.
export function jsonReporter(
  logger: Logger = pino({ base: undefined }, pino.destination({ dest: 1, sync: true })),
): Reporter {
  return {
    onEvent(ev) {
      if (ev.type === 'progress') return; // per-step progress is too chatty for logs
      const { stats, type, ...rest } = ev;
      logger.info({ event: type, ...rest, stats }, `campaign ${type}`);
    },
    info: (msg, fields) => logger.info(fields ?? {}, msg),
    warn: (msg, fields) => logger.warn(fields ?? {}, msg),
    stop: () => logger.flush(),
  };
}

/** The best text with how the best trial's AP compares with each completed baseline ("…, +1.4 over fpn"). */
export function withBaselines(best: string, s: CampaignStats): string {
  const vs = s.baselines ? overBaselinesText(s.bestAP, s.baselines) : '';
  return vs ? `${best}, ${vs}` : best;
}

/** The progress line's cost: "steps 12.4k (r0 9.0k r1 3.4k), CPU 530 s". */
export function spentText(l: LedgerView | undefined): string {
  if (!l) return 'steps -';
  const k = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)}k` : String(Math.round(x)));
  const rungs = Object.entries(l.byRung).filter(([r]) => r !== 'all');
  const per = rungs.length > 1 ? ` (${rungs.map(([r, e]) => `r${r} ${k(e.steps)}`).join(' ')})` : '';
  return `steps ${k(l.steps)}${per}, CPU ${k(l.cpuSeconds)} s`;
}

export function barReporter(stream: NodeJS.WriteStream = process.stderr): Reporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {bar} {value}/{total} trials | running {running} | failed {failed} | {best} | ETA {left} | {spent}',
      hideCursor: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let last = { value: 0, payload: {} as Record<string, unknown> };
  // The campaign's ETA (stats.ts: its own pace per told trial, or the wall budget), not cli-progress's
  // rate window: trials finish in bursts of `concurrency`, which makes a short window swing between 0
  // and infinity.
  const eta = (s: CampaignStats) => {
    if (s.eta === undefined) return '-';
    const sec = Math.max(0, Math.round(s.eta));
    return sec >= 3600
      ? `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m`
      : sec >= 60
        ? `${Math.floor(sec / 60)}m${String(sec % 60).padStart(2, '0')}s`
        : `${sec}s`;
  };
  const payload = (s: CampaignStats) => ({
    running: s.running,
    failed: s.failed + s.invalid,
    // The campaign's best is the highest reward; the AP shown is that trial's, not the highest AP.
    best: withBaselines(bestText({ reward: s.bestReward, AP: s.bestAP }), s),
    // Not `eta`: cli-progress fills {eta} with its own estimate, which would hide this one.
    left: eta(s),
    spent: spentText(s.ledger),
  });
  const log = (line: string) => {
    if (started && stream.isTTY) bar.stop();
    stream.write(line + '\n');
    if (started && stream.isTTY) bar.start(bar.getTotal(), last.value, last.payload);
  };
  return {
    onEvent(ev) {
      const total = ev.stats.total ?? Math.max(ev.stats.asked, 1);
      if (ev.type === 'started' || ev.type === 'resumed') {
        if (ev.type === 'resumed')
          stream.write(`resumed: ${ev.stats.told} told, ${ev.reattached} in flight re-attached\n`);
        bar.start(total, ev.stats.told, payload(ev.stats));
        started = true;
        return;
      }
      if (!started) return;
      if (ev.stats.total === undefined) bar.setTotal(total);
      last = { value: ev.stats.told, payload: payload(ev.stats) };
      bar.update(last.value, last.payload);
      if (ev.type === 'told' && ev.status !== 'complete') log(`trial ${ev.trialId} ${ev.status}: ${ev.error ?? ''}`);
      if (ev.type === 'baseline')
        log(
          `baseline ${ev.name}: ${ev.AP !== undefined ? `AP ${ev.AP.toFixed(4)}` : `${ev.status} ${ev.error ?? ''}`}`,
        );
      if (ev.type === 'finished') {
        bar.stop();
        started = false;
      }
    },
    info: (msg) => log(msg),
    warn: (msg) => log(`warning: ${msg}`),
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
