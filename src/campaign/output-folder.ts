// Where a campaign may write. Two rules: never under /proc, /sys or /dev (kernel filesystems: a recursive
// mkdir there can spin forever, and nothing written there is a file), and a fresh campaign only into an
// empty or absent folder, so an existing trials.csv or campaign.json is never silently replaced.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { PyramidNasError } from '../util/errors.js';
import { CampaignError } from './errors.js';
import { LOCK_FILE } from './lock.js';

const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

/** An output folder that cannot be used; the user's to fix (exit 2). */
export class OutputFolderError extends PyramidNasError {
  constructor(
    readonly dir: string,
    message: string,
  ) {
    super('OUTPUT_FOLDER', message, { usage: true, where: { file: dir } });
    this.name = 'OutputFolderError';
  }
}

/** The absolute path with symbolic links resolved as far as the path exists (the rest appended as is). */
export function resolveExisting(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync.native(head), ...tail.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = dirname(head);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === head) return resolve(path);
      tail.push(basename(head));
      head = parent;
    }
  }
}

function systemRoot(abs: string): string | undefined {
  return SYSTEM_ROOTS.find((r) => abs === r || abs.startsWith(r + '/'));
}

/** Throws OutputFolderError when `path` is, or resolves (through symbolic links) to, a place under /proc, /sys or /dev. */
export function refuseSystemPath(path: string): void {
  if (process.platform === 'win32') return;
  const abs = resolve(path);
  const real = resolveExisting(path);
  const root = systemRoot(abs) ?? systemRoot(real);
  if (root === undefined) return;
  const via = real !== abs && systemRoot(abs) === undefined ? ` (it resolves to ${real})` : '';
  throw new OutputFolderError(
    path,
    `${path}: refusing to write under ${root}${via}: that is a kernel filesystem, not a place for output files`,
  );
}

/** What a fresh campaign finds at its output folder (after checkFreshFolder accepted it). */
export type FreshFolderState = 'absent' | 'empty';

/**
 * Checks that `dir` can hold a fresh campaign: not a system path, and absent or empty (a campaign lock
 * file is ignored: the lock decides about it; so is an empty journal). A folder with a journal gets the
 * hint to resume it.
 */
export function checkFreshFolder(dir: string): FreshFolderState {
  refuseSystemPath(dir);
  let names: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new OutputFolderError(dir, `${dir}: exists and is not a folder; choose another output`);
    // An empty journal is what a first append that failed (a full disk) leaves: nothing happened yet.
    names = readdirSync(dir).filter(
      (n) => n !== LOCK_FILE && !(n === 'journal.jsonl' && statSync(join(dir, n)).size === 0),
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ENOTDIR') throw new OutputFolderError(dir, `${dir}: a parent of this path is a file, not a folder`);
    if (err instanceof OutputFolderError) throw err;
    throw new OutputFolderError(dir, `${dir}: cannot use as output folder (${(err as Error).message})`);
  }
  if (names.includes('journal.jsonl')) {
    throw new CampaignError(
      'EXISTS',
      `${dir} already holds a campaign journal; continue it with: pyramid-nas search --resume ${dir} (or choose another name/output)`,
    );
  }
  if (names.length > 0) {
    const shown = names.sort().slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} entries)` : '');
    throw new OutputFolderError(
      dir,
      `${dir}: not empty (holds ${shown}); a fresh campaign writes only into an empty or new folder: choose another output, or move these away`,
    );
  }
  return 'empty';
}
