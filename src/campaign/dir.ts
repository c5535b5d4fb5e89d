// Reading a campaign's output folder (resume, status, export): the resolved config from the journal's
// campaign-started event (the source of truth; campaign.json is a copy for people) and its trials.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCampaign, type ResolvedCampaign } from './config.js';
import { readJournal, JournalError, type JournalEvent } from './journal.js';
import { recordsFromJournal, type TrialRecord } from './records.js';

export interface CampaignDir {
  dir: string;
  config: ResolvedCampaign;
  events: JournalEvent[];
  records: TrialRecord[];
}

export function readCampaignDir(dir: string): CampaignDir {
  const journalPath = join(dir, 'journal.jsonl');
  if (!existsSync(journalPath)) throw new JournalError(journalPath, 0, 'no journal here: is this a campaign output folder (results/<campaign>)?');
  const events = readJournal(journalPath);
  const started = events[0];
  if (started?.type !== 'campaign-started') throw new JournalError(journalPath, 1, 'the first event is not campaign-started');
  // Re-validated (the file may have been edited by hand); the folder itself is the output now.
  const config = { ...resolveCampaign(started.config, `${journalPath}:1 (config)`), output: dir };
  return { dir, config, events, records: recordsFromJournal(events) };
}
