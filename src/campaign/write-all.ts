// write(2) may write fewer bytes than asked (a full disk, a signal, a pipe): a loop that writes them all,
// and an error that names the file and says "no space left" in words.
import { writeSync } from 'node:fs';

import { PyramidNasError } from '../util/errors.js';

/**
 * The write(2) the output helpers use. A seam so tests can inject short writes and ENOSPC; nothing else
 * should replace it.
 */
export const writeIo = {
  writeSync: (fd: number, buf: Uint8Array, offset: number, length: number): number =>
    writeSync(fd, buf, offset, length),
};

const IN_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
};

/** A write that failed: which file, and why (`systemCode` is the system error code, e.g. ENOSPC). */
export class OutputWriteError extends PyramidNasError {
  constructor(
    readonly file: string,
    readonly systemCode: string | undefined,
    cause: Error,
  ) {
    const words = systemCode === undefined ? undefined : IN_WORDS[systemCode];
    super('WRITE_FAILED', `${file}: cannot write: ${words ? `${words} (${systemCode})` : cause.message}`, {
      cause,
      where: { file },
    });
    this.name = 'OutputWriteError';
  }
}

/** Writes every byte of `buf` at the file position of `fd`; `file` names it in errors. */
export function writeAll(fd: number, buf: Uint8Array, file: string): void {
  let off = 0;
  while (off < buf.length) {
    let n: number;
    try {
      n = writeIo.writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      throw new OutputWriteError(file, (err as NodeJS.ErrnoException).code, err as Error);
    }
    // A write that makes no progress and reports no error would loop forever; it means a full disk.
    if (n <= 0) throw new OutputWriteError(file, 'ENOSPC', new Error('write made no progress'));
    off += n;
  }
}
