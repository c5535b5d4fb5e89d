// Decode an image file with sharp and letterbox it to a square: scale so the longer side is `size`, keep the
// aspect ratio, place it top-left, pad bottom/right with a constant. An image whose longer side already is
// `size` is not resampled at all, so exported proxy images come back byte-identical.
import sharp, { type OutputInfo } from 'sharp';

import { DatasetError } from './errors.js';

/** The pad colour of letterboxed images (black). */
export const LETTERBOX_PAD = 0;

export interface Letterboxed {
  pixels: Uint8Array;
  /** Source size as decoded. */
  width: number;
  height: number;
  /** Per-axis factors from source to letterboxed pixels (resized side / source side). */
  sx: number;
  sy: number;
}

export async function decodeLetterboxed(file: string, size: number): Promise<Letterboxed> {
  let raw: { data: Buffer; info: OutputInfo };
  let width: number;
  let height: number;
  try {
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) throw new Error('no image size in the file');
    width = meta.width;
    height = meta.height;
    const scale = size / Math.max(width, height);
    const nw = Math.max(1, Math.min(size, Math.round(width * scale)));
    const nh = Math.max(1, Math.min(size, Math.round(height * scale)));
    let img = sharp(file).flatten({ background: { r: LETTERBOX_PAD, g: LETTERBOX_PAD, b: LETTERBOX_PAD } });
    if (nw !== width || nh !== height) img = img.resize(nw, nh, { fit: 'fill', kernel: 'lanczos3' });
    raw = await img.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new DatasetError('DECODE_FAILED', `${file}: cannot decode image (${(err as Error).message})`, { file });
  }
  const { data, info } = raw;
  const ch = info.channels;
  if (ch !== 1 && ch !== 3)
    throw new DatasetError('DECODE_FAILED', `${file}: unexpected ${ch} channels after decoding`, { file });
  const out = new Uint8Array(size * size * 3).fill(LETTERBOX_PAD);
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const s = (y * info.width + x) * ch;
      const d = (y * size + x) * 3;
      out[d] = data[s];
      out[d + 1] = data[ch === 1 ? s : s + 1];
      out[d + 2] = data[ch === 1 ? s : s + 2];
    }
  }
  return { pixels: out, width, height, sx: info.width / width, sy: info.height / height };
}
