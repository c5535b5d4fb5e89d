// What the page shows of one campaign, folded from its journal events: a flat row per trial (what the
// table and plots need, sent to the browser) and a header (controller, space, budget, progress, ETA,
// failures). The full told event of each trial is kept for the detail view. Nothing here touches files.
import type { JournalEvent, ToldEvent } from '../campaign/journal.js';
import { resolveCampaign, type ResolvedCampaign } from '../campaign/config.js';
import { proxyShape, proxyShapeText, type ProxyShape } from '../campaign/costs.js';
import { beats } from '../campaign/records.js';

export type TrialState = 'running' | 'complete' | 'failed' | 'invalid';

/** One trial as the browser gets it (short keys: 1,000 rows must stay a small message). */
export interface TrialRow {
  /** Campaign key. */
  c: string;
  i: number;
  id: string;
  st: TrialState;
  hash: string;
  AP?: number;
  AP50?: number;
  AP75?: number;
  APs?: number;
  APm?: number;
  APl?: number;
  macs?: number;
  params?: number;
  reward?: number;
  wall?: number;
  worker?: string;
  /** The error, cut to 200 characters (the detail view has all of it). */
  err?: string;
  /** Campaign seconds when told. */
  el?: number;
}

export interface CampaignHeader {
  key: string;
  name: string;
  dir: string;
  controller?: string;
  space?: string;
  seed?: number;
  budget: { trials?: number; wallSeconds?: number };
  concurrency?: number;
  startedAt?: string;
  resumes: number;
  asked: number;
  told: number;
  running: number;
  complete: number;
  failed: number;
  invalid: number;
  /** The best trial (the campaign's ranking: highest reward, then lowest index), its reward and its AP. */
  bestTrial?: string;
  bestReward?: number;
  bestAP?: number;
  /** The shape the trials' MACs and params were measured at (the proxy's), and its label. */
  costs?: ProxyShape & { scope: 'neck'; label: string };
  /** Campaign seconds at the last told event. */
  elapsed: number;
  /** Seconds left by the budget and the pace so far; 0 when finished, undefined when unknown. */
  eta?: number;
  finished?: { reason: string; time: string };
  /** Journal problems (bad lines, an invalid config) shown in the header rather than hidden. */
  problems: string[];
}

export interface TrialDetail {
  row: TrialRow;
  decisions: number[];
  told?: ToldEvent;
}

const ERR_CUT = 200;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export class CampaignState {
  readonly rows = new Map<number, TrialRow>();
  private readonly decisions = new Map<number, number[]>();
  private readonly told = new Map<number, ToldEvent>();
  config: ResolvedCampaign | undefined;
  private rawConfig: Record<string, unknown> | undefined;
  private startedAt: string | undefined;
  private resumes = 0;
  private finished: { reason: string; time: string } | undefined;
  private elapsed = 0;
  private problems: string[] = [];

  constructor(readonly key: string, readonly dir: string) {}

  /** Forget everything (the journal was rewritten). */
  reset(): void {
    this.rows.clear();
    this.decisions.clear();
    this.told.clear();
    this.config = this.rawConfig = this.startedAt = this.finished = undefined;
    this.resumes = 0;
    this.elapsed = 0;
    this.problems = [];
  }

  addProblem(message: string): void {
    if (this.problems.length < 20) this.problems.push(message);
  }

  /** Applies events in journal order; returns the rows that changed. */
  apply(events: JournalEvent[]): TrialRow[] {
    const changed = new Map<number, TrialRow>();
    for (const ev of events) {
      switch (ev.type) {
        case 'campaign-started':
          this.startedAt = ev.time;
          this.setConfig(ev.config);
          break;
        case 'campaign-resumed':
          this.resumes++;
          this.finished = undefined;
          break;
        case 'campaign-finished':
          this.finished = { reason: String(ev.reason), time: ev.time };
          break;
        case 'asked': {
          if (!Number.isInteger(ev.index)) break;
          const row: TrialRow = { c: this.key, i: ev.index, id: String(ev.trialId), st: 'running', hash: String(ev.hash ?? '') };
          const prev = this.rows.get(ev.index);
          // A resumed campaign re-journals nothing for told trials, but be safe: never downgrade a result.
          if (prev && prev.st !== 'running') break;
          this.rows.set(ev.index, row);
          this.decisions.set(ev.index, Array.isArray(ev.decisions) ? ev.decisions : []);
          changed.set(ev.index, row);
          break;
        }
        case 'told': {
          const row = this.rows.get(ev.index) ?? { c: this.key, i: ev.index, id: String(ev.trialId), st: 'running' as TrialState, hash: '' };
          this.fillTold(row, ev);
          this.rows.set(ev.index, row);
          this.told.set(ev.index, ev);
          const el = num(ev.elapsed);
          if (el !== undefined && el > this.elapsed) this.elapsed = el;
          changed.set(ev.index, row);
          break;
        }
        default:
          break; // controller snapshots: nothing to show
      }
    }
    return [...changed.values()];
  }

  private setConfig(config: unknown): void {
    this.rawConfig = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : undefined;
    try {
      this.config = resolveCampaign(config, `${this.dir}/journal.jsonl:1 (config)`);
    } catch (err) {
      this.config = undefined;
      this.addProblem((err as Error).message);
    }
  }

  private fillTold(row: TrialRow, ev: ToldEvent): void {
    const st = ev.status;
    row.st = st === 'complete' || st === 'failed' || st === 'invalid' ? st : 'failed';
    const m = ev.metrics;
    if (m && typeof m === 'object') {
      row.AP = num(m.AP);
      row.AP50 = num(m.AP50);
      row.AP75 = num(m.AP75);
      row.APs = num(m.APs);
      row.APm = num(m.APm);
      row.APl = num(m.APl);
      row.macs = num(m.macs);
      row.params = num(m.params);
    }
    row.reward = num(ev.reward);
    row.wall = num(ev.wallSeconds);
    if (typeof ev.worker === 'string') row.worker = ev.worker;
    if (typeof ev.error === 'string') row.err = ev.error.length > ERR_CUT ? ev.error.slice(0, ERR_CUT) + '…' : ev.error;
    row.el = num(ev.elapsed);
  }

  header(): CampaignHeader {
    let complete = 0, failed = 0, invalid = 0, running = 0;
    let best: TrialRow | undefined;
    for (const r of this.rows.values()) {
      if (r.st === 'complete') {
        complete++;
        if (r.reward !== undefined && beats({ index: r.i, reward: r.reward }, best && { index: best.i, reward: best.reward! })) best = r;
      } else if (r.st === 'failed') failed++;
      else if (r.st === 'invalid') invalid++;
      else running++;
    }
    const told = complete + failed + invalid;
    const c = this.config;
    const raw = this.rawConfig;
    const rawSub = (k: string, f: string) => {
      const o = raw?.[k];
      return typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>)[f] === 'string' ? ((o as Record<string, unknown>)[f] as string) : undefined;
    };
    const budget = c?.budget ?? {};
    return {
      key: this.key,
      name: c?.name ?? (typeof raw?.name === 'string' ? raw.name : this.key),
      dir: this.dir,
      controller: c?.controller.kind ?? rawSub('controller', 'kind'),
      space: c?.space.name ?? rawSub('space', 'name'),
      seed: c?.seed,
      budget,
      concurrency: c?.concurrency,
      startedAt: this.startedAt,
      resumes: this.resumes,
      asked: this.rows.size,
      told,
      running,
      complete,
      failed,
      invalid,
      bestTrial: best?.id,
      bestReward: best?.reward,
      bestAP: best?.AP,
      costs: c ? { scope: 'neck', ...proxyShape(c.proxy), label: proxyShapeText(proxyShape(c.proxy)) } : undefined,
      elapsed: this.elapsed,
      eta: this.finished ? 0 : eta(budget, told, this.elapsed),
      finished: this.finished,
      problems: [...this.problems],
    };
  }

  /** Trials in index order. */
  allRows(): TrialRow[] {
    return [...this.rows.values()].sort((a, b) => a.i - b.i);
  }

  findTrial(trialId: string): TrialDetail | undefined {
    for (const r of this.rows.values()) {
      if (r.id === trialId) return { row: r, decisions: this.decisions.get(r.i) ?? [], told: this.told.get(r.i) };
    }
    return undefined;
  }
}

/**
 * Seconds left: by the trial budget at the pace so far (campaign seconds per told trial, which already
 * includes the parallelism), and by the wall budget; the sooner of the two.
 */
export function eta(budget: { trials?: number; wallSeconds?: number }, told: number, elapsed: number): number | undefined {
  const left: number[] = [];
  if (budget.trials !== undefined && told > 0 && elapsed > 0) left.push(Math.max(0, budget.trials - told) * (elapsed / told));
  if (budget.wallSeconds !== undefined) left.push(Math.max(0, budget.wallSeconds - elapsed));
  return left.length ? Math.min(...left) : undefined;
}
