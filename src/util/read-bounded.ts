// Reading a file the user named, with a size cap. readFileSync on /dev/zero, a FIFO or a runaway file
// reads forever (or until memory runs out); here only regular files are read, at most `limit` bytes, and
// anything else is refused with the file, its size and the limit in the message.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

import { PyramidNasError } from './errors.js';

/** Size caps on user input, in one place (documented in the README's limits table). */
export const INPUT_LIMITS = {
  /** A campaign file: a few KB in practice. */
  campaign: 1024 * 1024,
  /** A pyramid-graph/1 file: at most 256 nodes, so well under 100 KB even pretty-printed with meta. */
  graph: 4 * 1024 * 1024,
  /**
   * A COCO JSON (instances or detections). COCO train2017 instances is 448 MB; a V8 string holds at
   * most 512 MiB, so a larger file could not be parsed anyway.
   */
  cocoJson: 500 * 1024 * 1024,
  /** A campaign journal (read whole by resume, status and export). */
  journal: 1024 * 1024 * 1024,
  /**
   * One journal line, as the dashboard follows it. Controller snapshots, the largest lines, are about
   * 1 MB (an RL policy); a longer line is skipped with a problem report instead of being held in memory.
   */
  journalLine: 64 * 1024 * 1024,
  /**
   * An IDX file under --data, plain or gunzipped (the cap applies to both): Fashion-MNIST's largest,
   * train-images-idx3-ubyte, is 47,040,016 bytes.
   */
  idx: 64 * 1024 * 1024,
  /**
   * A pyramid-nas.split.json. `dataset export` writes one id per line, about 12 bytes each: 10 million
   * images (its --count limit) are about 120 MB.
   */
  splitFile: 128 * 1024 * 1024,
} as const;

export type BoundedReadCode = 'MISSING' | 'NOT_REGULAR' | 'TOO_LARGE' | 'IO';

export class BoundedReadError extends PyramidNasError {
  declare readonly code: BoundedReadCode;
  constructor(
    code: BoundedReadCode,
    readonly file: string,
    /** The message without the file name (for errors that put the file elsewhere). */
    readonly reason: string,
  ) {
    super(code, `${file}: ${reason}`, { usage: true, where: { file } });
    this.name = 'BoundedReadError';
  }
}

/** "1.5 MiB", "512 B": sizes in messages. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function ioReason(err: NodeJS.ErrnoException): { code: BoundedReadCode; reason: string } {
  if (err.code === 'ENOENT') return { code: 'MISSING', reason: 'no such file' };
  if (err.code === 'EISDIR') return { code: 'NOT_REGULAR', reason: 'is a directory, not a regular file' };
  if (err.code === 'EACCES' || err.code === 'EPERM')
    return { code: 'IO', reason: `cannot read: permission denied (${err.code})` };
  return { code: 'IO', reason: `cannot read: ${err.message}` };
}

/**
 * The bytes of a regular file of at most `limit` bytes. `what` names the kind of file in the size error
 * ("campaign file"). Throws BoundedReadError.
 */
export function readFileBounded(file: string, limit: number, what = 'file'): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const { code, reason } = ioReason(err as NodeJS.ErrnoException);
    throw new BoundedReadError(code, file, reason);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BoundedReadError('NOT_REGULAR', file, `is ${kindOf(st)}; only regular files are read`);
    const tooBig = (size: string) =>
      new BoundedReadError('TOO_LARGE', file, `${size} is over the ${formatBytes(limit)} limit for a ${what}`);
    if (st.size > limit) throw tooBig(`${formatBytes(st.size)} (${st.size} bytes)`);
    // The file may grow while we read (or lie about its size, as some virtual files do): read at most
    // limit + 1 bytes, so "over the limit" is known without reading further.
    let buf = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(st.size + 1, 64 * 1024)));
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len > limit) throw tooBig(`more than ${formatBytes(limit)}`);
        const bigger = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buf, len, buf.length - len, null);
      } catch (err) {
        const { code, reason } = ioReason(err as NodeJS.ErrnoException);
        throw new BoundedReadError(code, file, reason);
      }
      if (n === 0) break;
      len += n;
    }
    if (len > limit) throw tooBig(`more than ${formatBytes(limit)}`);
    return buf.subarray(0, len);
  } finally {
    closeSync(fd);
  }
}

/** The UTF-8 text of a regular file of at most `limit` bytes (see readFileBounded). */
export function readTextBounded(file: string, limit: number, what = 'file'): string {
  return readFileBounded(file, limit, what).toString('utf8');
}
