// The cost ledger: training steps and CPU-seconds a campaign has spent, in total and per rung (successive
// halving; a campaign without a scheduler has the one bucket "all"), beside the trial count. Folded from the
// journal's told and rung-told events, so `status`, the progress line and the dashboard agree. Baselines are
// tallied apart (from baseline-told): they are references trained beside the search, not its cost, and
// `budget.steps` counts the search's steps only; the summary line shows them as a figure of their own.

export interface LedgerEntry {
  /** Jobs whose results are journaled. */
  jobs: number;
  /** Training steps those jobs ran (what each job was asked to train). */
  steps: number;
  /** CPU seconds (user + system) of the processes that ran them, where reported. */
  cpuSeconds: number;
}

export interface LedgerView extends LedgerEntry {
  /** By rung ("0", "1", …), or "all" without a scheduler. */
  byRung: Record<string, LedgerEntry>;
  /** The baselines' jobs, not in the figures above; absent until a baseline is told. */
  baselines?: LedgerEntry;
}

function finiteOr0(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

export class CostLedger {
  private readonly total: LedgerEntry = { jobs: 0, steps: 0, cpuSeconds: 0 };
  private readonly rungs = new Map<string, LedgerEntry>();
  private readonly baselines: LedgerEntry = { jobs: 0, steps: 0, cpuSeconds: 0 };

  /** One job's result. `steps` is what it trained; `rung` undefined: a campaign without a scheduler. */
  add(rung: number | undefined, steps: unknown, cpuSeconds: unknown): void {
    const key = rung === undefined ? 'all' : String(rung);
    let e = this.rungs.get(key);
    if (!e) this.rungs.set(key, (e = { jobs: 0, steps: 0, cpuSeconds: 0 }));
    for (const x of [e, this.total]) {
      x.jobs++;
      x.steps += finiteOr0(steps);
      x.cpuSeconds += finiteOr0(cpuSeconds);
    }
  }

  /** One baseline's result: kept out of the search's total (and so out of `budget.steps`). */
  addBaseline(steps: unknown, cpuSeconds: unknown): void {
    this.baselines.jobs++;
    this.baselines.steps += finiteOr0(steps);
    this.baselines.cpuSeconds += finiteOr0(cpuSeconds);
  }

  /** The search's steps (baselines excluded): what a steps budget counts. */
  get steps(): number {
    return this.total.steps;
  }

  view(): LedgerView {
    const byRung: Record<string, LedgerEntry> = {};
    for (const k of [...this.rungs.keys()].sort()) byRung[k] = { ...this.rungs.get(k)! };
    return { ...this.total, byRung, ...(this.baselines.jobs ? { baselines: { ...this.baselines } } : {}) };
  }
}

/**
 * "12,400 steps, 530 CPU-s (rung 0: 60 jobs, 9,000 steps, 380 CPU-s; rung 1: …); baselines: 600 steps, 20 CPU-s",
 * for status and the summary. The first figures are the search's own; the baselines' follow apart.
 */
export function ledgerText(l: LedgerView): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const rungs = Object.entries(l.byRung).filter(([k]) => k !== 'all');
  const detail = rungs.length
    ? ` (${rungs.map(([k, e]) => `rung ${k}: ${e.jobs} job${e.jobs === 1 ? '' : 's'}, ${n(e.steps)} steps, ${n(e.cpuSeconds)} CPU-s`).join('; ')})`
    : '';
  const b = l.baselines ? `; baselines: ${n(l.baselines.steps)} steps, ${n(l.baselines.cpuSeconds)} CPU-s` : '';
  return `${n(l.steps)} steps, ${n(l.cpuSeconds)} CPU-s${detail}${b}`;
}
