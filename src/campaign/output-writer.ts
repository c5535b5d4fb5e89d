// What a running campaign writes besides its journal (outputs.ts does the writing): each told trial's
// graph file at once, and the summary files (trials.csv, pareto.json, best.graph.json, best.svg) at most
// every two seconds while it runs (rewriting them costs O(trials) per tell), then once more at the end.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { ResolvedCampaign } from './config.js';
import type { BaselineRecord } from './input-events.js';
import { writeSummaries, writeTrialGraph } from './outputs.js';
import type { TrialRecord } from './records.js';

const SUMMARY_INTERVAL_MS = 2000;

export class OutputWriter {
  private summariesDue = false;
  private lastSummary = 0;

  constructor(
    private readonly dir: string,
    private readonly config: ResolvedCampaign,
    /** Every asked trial (summaries list the told ones). */
    private readonly records: () => Iterable<TrialRecord>,
    /** The campaign's baselines (pareto.json lists the completed ones). */
    private readonly baselines: () => Iterable<BaselineRecord> = () => [],
  ) {}

  /** A trial was told: its graph file now, the summaries when next due. */
  told(r: TrialRecord): void {
    writeTrialGraph(this.dir, this.config, r);
    this.summariesDue = true;
  }

  /** A crash between a told event and its graph file leaves the file missing: write it again. */
  restoreGraphs(): void {
    for (const r of this.records())
      if (r.status && !existsSync(join(this.dir, 'graphs', `${r.trialId}.graph.json`)))
        writeTrialGraph(this.dir, this.config, r);
  }

  /** Rewrites the summaries if something was told since the last time and the interval has passed (or `force`). */
  flush(force: boolean): void {
    if (!this.summariesDue) return;
    const now = performance.now();
    if (!force && now - this.lastSummary < SUMMARY_INTERVAL_MS) return;
    writeSummaries(this.dir, this.config, [...this.records()], [...this.baselines()]);
    this.summariesDue = false;
    this.lastSummary = now;
  }

  /** The summaries as the campaign ends, whatever was written before. */
  final(): void {
    this.summariesDue = true;
    this.flush(true);
  }
}
