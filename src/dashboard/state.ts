// What the page shows of one campaign, from the campaign's own fold of its journal (journal-state.ts): a
// flat row per trial (what the table and plots need, sent to the browser, its values checked) and a
// header (controller, space, budget, progress, ETA, failures). The full told event of each trial is kept
// for the detail view. Nothing here touches files.
import { completedBaselines } from '../campaign/baselines.js';
import { resolveCampaign, type ResolvedCampaign, storedCampaignConfig } from '../campaign/config.js';
import { type ProxyShape, proxyShape, proxyShapeText } from '../campaign/costs.js';
import type { JournalEvent, ToldEvent } from '../campaign/journal.js';
import { countedStatus, JournalState } from '../campaign/journal-state.js';
import type { LedgerView } from '../campaign/ledger.js';
import type { TrialRecord } from '../campaign/records.js';
import type { TrialTally } from '../campaign/stats.js';

export { eta } from '../campaign/journal-state.js';

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

export interface CampaignHeader extends TrialTally {
  key: string;
  name: string;
  dir: string;
  /** The study folder's key when the campaign was opened as part of a study (campaigns.ts). */
  study?: string;
  controller?: string;
  space?: string;
  seed?: number;
  budget: { trials?: number; wallSeconds?: number };
  concurrency?: number;
  startedAt?: string;
  resumes: number;
  /** The shape the trials' MACs and params were measured at (the proxy's), and its label. */
  costs?: ProxyShape & { scope: 'neck'; label: string };
  /** Campaign seconds at the last told event. */
  elapsed: number;
  /** Seconds left by the budget and the pace so far; 0 when finished, undefined when unknown. */
  eta?: number;
  finished?: { reason: string; time: string };
  /** The baselines that completed (src/campaign/baselines.ts): reference lines and points on the plots. */
  baselines: { name: string; AP: number; macs?: number; params?: number }[];
  /** Journal problems (bad lines, an invalid config) shown in the header rather than hidden. */
  problems: string[];
  /** The cost ledger (src/campaign/ledger.ts): steps and CPU-seconds spent, in total and per rung. */
  ledger: LedgerView;
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
  private journal = new JournalState();
  private readonly told = new Map<number, ToldEvent>();
  config: ResolvedCampaign | undefined;
  private rawConfig: Record<string, unknown> | undefined;
  private problems: string[] = [];

  constructor(
    readonly key: string,
    readonly dir: string,
    readonly study?: string,
  ) {}

  /** Forget everything (the journal was rewritten). */
  reset(): void {
    this.rows.clear();
    this.told.clear();
    this.journal = new JournalState();
    this.config = this.rawConfig = undefined;
    this.problems = [];
  }

  addProblem(message: string): void {
    if (this.problems.length < 20) this.problems.push(message);
  }

  /** Applies events in journal order; returns the rows that changed. */
  apply(events: JournalEvent[]): TrialRow[] {
    const changed = new Map<number, TrialRow>();
    for (const ev of events) {
      const r = this.journal.apply(ev);
      if (ev.type === 'campaign-started') this.setConfig(ev.config);
      if (!r) continue;
      if (ev.type === 'told') this.told.set(r.index, ev);
      // A promotion's complete result is the trial's result from then on (successive halving).
      if (ev.type === 'rung-told' && ev.status === 'complete' && this.told.has(r.index))
        this.told.set(r.index, {
          ...this.told.get(r.index)!,
          metrics: ev.metrics,
          reward: ev.reward,
          wallSeconds: ev.wallSeconds,
          worker: ev.worker,
          elapsed: ev.elapsed,
        });
      const row = this.rowOf(r);
      this.rows.set(r.index, row);
      changed.set(r.index, row);
    }
    return [...changed.values()];
  }

  private rowOf(r: TrialRecord): TrialRow {
    const row: TrialRow = { c: this.key, i: r.index, id: String(r.trialId), st: 'running', hash: String(r.hash ?? '') };
    const told = this.told.get(r.index);
    if (told) this.fillTold(row, told);
    return row;
  }

  private setConfig(config: unknown): void {
    this.rawConfig = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : undefined;
    try {
      this.config = resolveCampaign(storedCampaignConfig(config), `${this.dir}/journal.jsonl:1 (config)`);
    } catch (err) {
      this.config = undefined;
      this.addProblem((err as Error).message);
    }
  }

  private fillTold(row: TrialRow, ev: ToldEvent): void {
    row.st = countedStatus(ev.status);
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
    const j = this.journal;
    // The journal's best (records.ts's ranking), shown with its row's checked values.
    const best = j.best && this.rows.get(j.best.index);
    const c = this.config;
    const raw = this.rawConfig;
    const rawSub = (k: string, f: string) => {
      const o = raw?.[k];
      return typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>)[f] === 'string'
        ? ((o as Record<string, unknown>)[f] as string)
        : undefined;
    };
    const budget = c?.budget ?? {};
    return {
      key: this.key,
      name: c?.name ?? (typeof raw?.name === 'string' ? raw.name : this.key),
      dir: this.dir,
      ...(this.study !== undefined ? { study: this.study } : {}),
      controller: c?.controller.kind ?? rawSub('controller', 'kind'),
      space: c?.space.name ?? rawSub('space', 'name'),
      seed: c?.seed,
      budget,
      concurrency: c?.concurrency,
      startedAt: j.started?.time,
      resumes: j.resumes,
      asked: j.asked,
      told: j.told,
      running: j.running,
      ...j.counts,
      bestTrial: best?.id,
      bestReward: best?.reward,
      bestAP: best?.AP,
      costs: c ? { scope: 'neck', ...proxyShape(c.proxy), label: proxyShapeText(proxyShape(c.proxy)) } : undefined,
      elapsed: j.elapsed,
      eta: j.eta(budget),
      finished: j.finished,
      baselines: completedBaselines(j.baselines.values()).flatMap((b) => {
        const AP = num(b.metrics.AP);
        if (AP === undefined) return [];
        const [macs, params] = [num(b.metrics.macs), num(b.metrics.params)];
        return [
          { name: b.name, AP, ...(macs !== undefined ? { macs } : {}), ...(params !== undefined ? { params } : {}) },
        ];
      }),
      problems: [...this.problems],
      ledger: j.ledger.view(),
    };
  }

  /** Trials in index order. */
  allRows(): TrialRow[] {
    return [...this.rows.values()].sort((a, b) => a.i - b.i);
  }

  findTrial(trialId: string): TrialDetail | undefined {
    for (const r of this.rows.values()) {
      if (r.id === trialId) {
        const decisions = this.journal.records.get(r.i)?.decisions;
        return { row: r, decisions: Array.isArray(decisions) ? decisions : [], told: this.told.get(r.i) };
      }
    }
    return undefined;
  }
}
