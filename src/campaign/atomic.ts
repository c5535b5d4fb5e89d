// Atomic file writes: write a temp file in the same folder, write every byte, flush it, then rename over
// the target, so a reader (or a crash) never sees a half-written output file. On any error (a full disk)
// the temp file is removed, the target is left as it was, and the error names the file.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { refuseSystemPath } from './output-folder.js';
import { OutputWriteError, writeAll } from './write-all.js';

export { OutputWriteError, writeIo } from './write-all.js';

let counter = 0;

/** Creates `dir` (and its parents) unless it exists, refusing /proc, /sys and /dev. True if it created `dir`. */
export function ensureDir(dir: string): boolean {
  if (existsSync(dir)) return false;
  refuseSystemPath(dir);
  return mkdirSync(dir, { recursive: true }) !== undefined;
}

/**
 * Writes `data` to `path` atomically (see above). Refuses a target under /proc, /sys or /dev even when
 * its folder exists: a rename there could replace /dev/null or a kernel file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  refuseSystemPath(path);
  const dir = dirname(path);
  ensureDir(dir);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    writeAll(fd, buf, path);
    fsyncSync(fd);
    const written = fd;
    fd = undefined;
    closeSync(written);
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    if (err instanceof OutputWriteError) throw err;
    throw new OutputWriteError(path, (err as NodeJS.ErrnoException).code, err as Error);
  }
  syncDir(dir);
}

/** Makes a rename in `dir` durable. Not every platform can open a folder for fsync; there it is skipped. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort: the file itself is already complete and flushed.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
