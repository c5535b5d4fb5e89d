// Reader for the IDX format of (Fashion-)MNIST: a big-endian header (magic 0x000008TT with TT = element
// type and the low byte = number of dimensions, then one uint32 per dimension) followed by the raw data.
// Files may be gzipped (`name.gz`), as Debian's dataset-fashion-mnist package installs them. Both the file
// and what it unzips to are capped at INPUT_LIMITS.idx, and only regular files are read.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { BoundedReadError, formatBytes, INPUT_LIMITS, readFileBounded } from '../util/read-bounded.js';
import { DatasetError } from './errors.js';

/** readFileBounded with its errors as DatasetErrors. */
function readIdxBytes(file: string, limit: number): Buffer {
  try {
    return readFileBounded(file, limit, 'Fashion-MNIST IDX file');
  } catch (err) {
    if (!(err instanceof BoundedReadError)) throw err;
    throw new DatasetError(err.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'MISSING_FILE', `cannot read ${err.message}`, {
      file,
    });
  }
}

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
  file: string;
}

/** Read `dir/name` or `dir/name.gz`, whichever exists (plain first). */
export function readIdxFile(dir: string, name: string): IdxArray {
  const limit = INPUT_LIMITS.idx;
  const plain = join(dir, name);
  const gz = `${plain}.gz`;
  let file: string;
  let bytes: Uint8Array;
  if (existsSync(plain)) {
    file = plain;
    bytes = readIdxBytes(plain, limit);
  } else if (existsSync(gz)) {
    file = gz;
    const packed = readIdxBytes(gz, limit);
    try {
      // A small .gz can unzip to gigabytes: stop at the cap rather than after memory runs out.
      bytes = gunzipSync(packed, { maxOutputLength: limit });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DatasetError(
          'TOO_LARGE',
          `${gz}: unzips to more than ${formatBytes(limit)}, the limit for a Fashion-MNIST IDX file`,
          { file: gz },
        );
      }
      throw new DatasetError('MALFORMED_FILE', `${gz}: not a valid gzip file (${(err as Error).message})`, {
        file: gz,
      });
    }
  } else {
    throw new DatasetError('MISSING_FILE', `IDX file not found: expected ${plain} or ${gz}`, { file: plain });
  }
  return parseIdx(bytes, file);
}

/** Parse an unsigned-byte IDX array and check that its length matches its header exactly. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const bad = (what: string) => new DatasetError('MALFORMED_FILE', `${file}: ${what}`, { file });
  if (bytes.length < 4) throw bad(`too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >>> 8) & 0xff;
  const ndim = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08 || ndim < 1 || ndim > 4) {
    throw bad(
      `bad magic number 0x${magic.toString(16).padStart(8, '0')} (expected 0x00000801 for labels or 0x00000803 for images: unsigned bytes, 1–4 dimensions)`,
    );
  }
  const header = 4 + 4 * ndim;
  if (bytes.length < header)
    throw bad(`truncated header: ${ndim} dimensions need ${header} bytes, file has ${bytes.length}`);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== expected) {
    throw bad(
      `size mismatch: header says ${dims.join('×')} = ${expected} bytes of data, file has ${bytes.length - header}`,
    );
  }
  return { dims, data: bytes.subarray(header), file };
}
