// The campaigns a dashboard watches: for each folder, its journal tail and its folded state, and the
// listeners that want to hear about changes (the SSE clients).
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { DashboardOptionsError } from './auth.js';
import { type CampaignHeader, CampaignState, type TrialRow } from './state.js';
import { JournalTail, type TailBatch } from './tail.js';

export interface CampaignUpdate {
  key: string;
  reset: boolean;
  header: CampaignHeader;
  rows: TrialRow[];
}

export interface Watched {
  state: CampaignState;
  tail: JournalTail;
}

export class CampaignSet {
  readonly byKey = new Map<string, Watched>();
  private listeners: Array<(u: CampaignUpdate) => void> = [];

  constructor(dirs: string[], pollMs?: number) {
    if (dirs.length === 0)
      throw new DashboardOptionsError('dirs', 'give at least one campaign folder (results/<campaign>)');
    for (const d of dirs) {
      const dir = resolve(d);
      // A folder that does not exist yet is waited for (`search --dashboard` may start before it is made).
      if (existsSync(dir) && !statSync(dir).isDirectory())
        throw new DashboardOptionsError(
          'dirs',
          `${d}: not a folder (expected a campaign output folder, results/<campaign>)`,
        );
      let key = basename(dir) || 'campaign';
      for (let n = 2; this.byKey.has(key); n++) key = `${basename(dir)}~${n}`;
      const state = new CampaignState(key, dir);
      const tail = new JournalTail(join(dir, 'journal.jsonl'), {
        pollMs,
        onBatch: (b) => this.onBatch(key, b),
        onProblem: (p) => {
          state.addProblem(`${p.file}:${p.line}: ${p.message}`);
          this.emit({ key, reset: false, header: state.header(), rows: [] });
        },
      });
      this.byKey.set(key, { state, tail });
    }
  }

  start(): void {
    for (const w of this.byKey.values()) w.tail.start();
  }

  onUpdate(listener: (u: CampaignUpdate) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  private onBatch(key: string, batch: TailBatch): void {
    const w = this.byKey.get(key)!;
    if (batch.reset) w.state.reset();
    const rows = w.state.apply(batch.events);
    this.emit({ key, reset: batch.reset, header: w.state.header(), rows: batch.reset ? w.state.allRows() : rows });
  }

  private emit(u: CampaignUpdate): void {
    for (const l of this.listeners) l(u);
  }

  /** Everything, for a client that just connected. */
  snapshot(): Array<{ header: CampaignHeader; rows: TrialRow[] }> {
    return [...this.byKey.values()].map((w) => ({ header: w.state.header(), rows: w.state.allRows() }));
  }

  /** key → BullMQ queue name (the campaign's name, once its config is known). */
  queueNames(): Map<string, string> {
    const m = new Map<string, string>();
    for (const [key, w] of this.byKey) if (w.state.config) m.set(key, w.state.config.name);
    return m;
  }

  close(): void {
    for (const w of this.byKey.values()) w.tail.close();
  }
}
