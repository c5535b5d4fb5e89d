// The campaigns a dashboard watches: for each folder, its journal tail and its folded state, and the
// listeners that want to hear about changes (the SSE clients). A study folder stands for its campaign
// folders, and new ones are picked up while the dashboard runs (study.ts).
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { DashboardOptionsError } from './auth.js';
import { type CampaignHeader, CampaignState, type TrialRow } from './state.js';
import { hasStudyReport, isStudyFolder, MAX_STUDY_CAMPAIGNS, studyCampaigns, studyName } from './study.js';
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

/** A study folder as the page sees it. */
export interface StudyView {
  key: string;
  dir: string;
  /** Its campaigns' keys, in the study's order. */
  campaigns: string[];
  /** It has a report.md: the page links /api/study-report?s=<key>. */
  report: boolean;
}

interface WatchedStudy {
  key: string;
  dir: string;
  /** Campaign folder names already followed. */
  ids: Set<string>;
  report: boolean;
}

export class CampaignSet {
  readonly byKey = new Map<string, Watched>();
  private listeners: Array<(u: CampaignUpdate) => void> = [];

  /** Study folders opened as such: their campaigns/ folder is re-read for campaigns that start later. */
  private readonly studies: WatchedStudy[] = [];
  private studyTimer: NodeJS.Timeout | undefined;
  private studyListeners: Array<(studies: StudyView[]) => void> = [];
  private started = false;

  constructor(
    dirs: string[],
    private readonly pollMs?: number,
  ) {
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
      if (isStudyFolder(dir)) {
        let key = studyName(dir);
        for (let n = 2; this.studies.some((s) => s.key === key); n++) key = `${studyName(dir)}~${n}`;
        const study: WatchedStudy = { key, dir, ids: new Set(), report: hasStudyReport(dir) };
        this.studies.push(study);
        this.scanStudy(study);
      } else this.add(dir, basename(dir) || 'campaign');
    }
  }

  /** Follows one campaign folder under `key` (made unique with ~2, ~3, …); returns the key. */
  private add(dir: string, wanted: string, study?: string): string {
    let key = wanted;
    for (let n = 2; this.byKey.has(key); n++) key = `${wanted}~${n}`;
    const state = new CampaignState(key, dir, study);
    const tail = new JournalTail(join(dir, 'journal.jsonl'), {
      pollMs: this.pollMs,
      onBatch: (b) => this.onBatch(key, b),
      onProblem: (p) => {
        state.addProblem(`${p.file}:${p.line}: ${p.message}`);
        this.emit({ key, reset: false, header: state.header(), rows: [] });
      },
    });
    this.byKey.set(key, { state, tail });
    return key;
  }

  /**
   * Adds the study's campaign folders not followed yet, keyed `<study>/<campaign>-s<seed>` so that the page
   * groups them by study and campaign; returns the new keys. Once started, each new one is tailed and
   * announced at once (a card that says "waiting" until its journal has lines).
   */
  private scanStudy(study: WatchedStudy): string[] {
    const added: string[] = [];
    for (const c of studyCampaigns(study.dir)) {
      if (study.ids.has(c.id) || study.ids.size >= MAX_STUDY_CAMPAIGNS) continue;
      study.ids.add(c.id);
      const key = this.add(c.dir, `${study.key}/${c.id}`, study.key);
      added.push(key);
      if (this.started) {
        const w = this.byKey.get(key)!;
        this.emit({ key, reset: true, header: w.state.header(), rows: [] });
        w.tail.start();
      }
    }
    return added;
  }

  start(): void {
    this.started = true;
    for (const w of this.byKey.values()) w.tail.start();
    if (this.studies.length === 0) return;
    // The campaigns of a study still running start one after another: look for new folders (and for the
    // report, written when the study ends) at the journal tail's own fallback period.
    this.studyTimer = setInterval(() => {
      let changed = false;
      for (const s of this.studies) {
        if (this.scanStudy(s).length) changed = true;
        const report = hasStudyReport(s.dir);
        if (report !== s.report) [s.report, changed] = [report, true];
      }
      if (changed) for (const l of this.studyListeners) l(this.studyViews());
    }, this.pollMs ?? 1000);
    this.studyTimer.unref();
  }

  /** The study folders opened, for the page: name, folder, campaign keys, whether it has a report. */
  studyViews(): StudyView[] {
    return this.studies.map((s) => ({
      key: s.key,
      dir: s.dir,
      campaigns: [...this.byKey.values()].filter((w) => w.state.study === s.key).map((w) => w.state.key),
      report: s.report,
    }));
  }

  /** The study folder opened under `key`, if any (the report route looks the folder up here, never in the URL). */
  studyDir(key: string): string | undefined {
    return this.studies.find((s) => s.key === key)?.dir;
  }

  onStudies(listener: (studies: StudyView[]) => void): void {
    this.studyListeners.push(listener);
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
    clearInterval(this.studyTimer);
    for (const w of this.byKey.values()) w.tail.close();
  }
}
