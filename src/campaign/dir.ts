// Reading a campaign's output folder (resume, status, export): the resolved config from the journal's
// campaign-started event (the source of truth; campaign.json is a copy for people) and its trials.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { resolveCampaign, type ResolvedCampaign, storedCampaignConfig } from './config.js';
import { JournalError, type JournalEvent, readJournalLines } from './journal.js';
import { recordsFromJournal } from './journal-state.js';
import type { TrialRecord } from './records.js';

export interface CampaignDir {
  dir: string;
  config: ResolvedCampaign;
  events: JournalEvent[];
  records: TrialRecord[];
}

/**
 * Checks that trials were asked, and told, each exactly once and in index order. Two processes appending
 * to one journal break this; showing such a journal would show duplicate trials, and resuming it would
 * replay a history no controller made. `lines[i]` is the line of `events[i]`.
 */
export function checkJournalSequence(events: JournalEvent[], lines: number[], path: string): void {
  const askedAt = new Map<number, number>();
  const toldAt = new Map<number, number>();
  events.forEach((ev, i) => {
    if (ev.type !== 'asked' && ev.type !== 'told') return;
    const line = lines[i] ?? i + 1;
    const seen = ev.type === 'asked' ? askedAt : toldAt;
    const first = seen.get(ev.index);
    if (first !== undefined) {
      throw new JournalError(
        path,
        line,
        `trial ${ev.index} ${ev.type} twice (first at line ${first}): two campaign processes wrote this journal; it cannot be shown or resumed as it is`,
      );
    }
    if (ev.index !== seen.size)
      throw new JournalError(path, line, `${ev.type} index ${ev.index} out of order (expected ${seen.size})`);
    if (ev.type === 'told' && !askedAt.has(ev.index))
      throw new JournalError(path, line, `trial ${ev.index} told before it was asked`);
    seen.set(ev.index, line);
  });
}

export function readCampaignDir(dir: string): CampaignDir {
  const journalPath = join(dir, 'journal.jsonl');
  if (!existsSync(journalPath))
    throw new JournalError(journalPath, 0, 'no journal here: is this a campaign output folder (results/<campaign>)?');
  const { events, lines } = readJournalLines(journalPath);
  const started = events[0];
  if (started?.type !== 'campaign-started')
    throw new JournalError(journalPath, 1, 'the first event is not campaign-started');
  checkJournalSequence(events, lines, journalPath);
  // Re-validated (the file may have been edited by hand); the folder itself is the output now. A journal's
  // proxy task is stored resolved, so keys added since resolve as they did when it was written.
  const config = { ...resolveCampaign(storedCampaignConfig(started.config), `${journalPath}:1 (config)`), output: dir };
  return { dir, config, events, records: recordsFromJournal(events) };
}
