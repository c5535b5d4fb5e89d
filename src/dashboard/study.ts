// A study folder (what `pyramid-nas study` writes, src/study/) opened as such: its campaign folders, in the
// study's order (campaign name, then seed), and its report, read only from inside the folder. The folder
// names come from the study's own constants, so a renamed subfolder cannot leave the dashboard behind.
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { CAMPAIGNS_DIR } from '../study/plan.js';
import { REPORT_FILE } from '../study/report.js';
import { readTextBounded } from '../util/read-bounded.js';

/** At most this many campaigns of one study are followed (a study is campaigns × seeds: 6 × 3 in ours). */
export const MAX_STUDY_CAMPAIGNS = 200;
/** report.md is a few KB; anything far larger is not a report the study wrote. */
export const MAX_REPORT_BYTES = 4 * 1024 * 1024;

export interface StudyCampaign {
  /** The folder's name under campaigns/: `<campaign>-s<seed>` (src/study/plan.ts). */
  id: string;
  campaign: string;
  seed: number | undefined;
  dir: string;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A folder without a journal of its own but with the study's campaigns/ folder. */
export function isStudyFolder(dir: string): boolean {
  return !existsSync(join(dir, 'journal.jsonl')) && isDir(join(dir, CAMPAIGNS_DIR));
}

/** `<campaign>-s<seed>`, as planStudy names a campaign's folder; the last `-s<digits>` is the seed. */
function parseId(id: string): { campaign: string; seed: number | undefined } {
  const m = /^(.+)-s(\d+)$/.exec(id);
  return m ? { campaign: m[1], seed: Number(m[2]) } : { campaign: id, seed: undefined };
}

function byStudyOrder(a: StudyCampaign, b: StudyCampaign): number {
  if (a.campaign !== b.campaign) return a.campaign < b.campaign ? -1 : 1;
  const [sa, sb] = [a.seed ?? Infinity, b.seed ?? Infinity];
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The campaign folders under `<study>/campaigns/` now, in the study's order, the first MAX_STUDY_CAMPAIGNS.
 * Only real folders: a link under campaigns/ is not followed out of the study.
 */
export function studyCampaigns(studyDir: string): StudyCampaign[] {
  const root = join(resolve(studyDir), CAMPAIGNS_DIR);
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => ({ id: e.name, ...parseId(e.name), dir: join(root, e.name) }))
    .sort(byStudyOrder)
    .slice(0, MAX_STUDY_CAMPAIGNS);
}

/** The study's name on the page: its folder's. */
export function studyName(studyDir: string): string {
  return basename(resolve(studyDir)) || 'study';
}

/**
 * The study's report.md, or undefined when there is none. Only the file of that name directly in the study
 * folder is read: its real path (links resolved) must sit in the folder's real path, and it must be a
 * regular file of at most MAX_REPORT_BYTES.
 */
export function readStudyReport(studyDir: string): string | undefined {
  let root: string;
  let real: string;
  try {
    root = realpathSync(studyDir);
    real = realpathSync(join(studyDir, REPORT_FILE));
  } catch {
    return undefined;
  }
  if (dirname(real) !== root || basename(real) !== REPORT_FILE) return undefined;
  try {
    return readTextBounded(real, MAX_REPORT_BYTES, 'study report');
  } catch {
    return undefined;
  }
}

/** Whether the page should link the report (the same checks as reading it, without reading it). */
export function hasStudyReport(studyDir: string): boolean {
  try {
    const real = realpathSync(join(studyDir, REPORT_FILE));
    return dirname(real) === realpathSync(studyDir) && basename(real) === REPORT_FILE && statSync(real).isFile();
  } catch {
    return false;
  }
}
