// `fashion-mnist-scenes`: Fashion-MNIST glyphs pasted at many scales (4 px to 90% of the image, log-uniform),
// tinted, on the same noisy textured backgrounds as `shapes`. Glyphs of the IDX train file feed the train
// split and those of the t10k file the held-out and test splits, so no held-out or test glyph is ever seen
// in training. Held-out and test scenes come from separate generator streams (different scenes); they
// share the t10k glyph pool, since giving the test split glyphs of its own would change the held-out data.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { paintBackground, paintClutter } from './background.js';
import { clampByte, contrastingColour, createCanvas, type Rgb } from './canvas.js';
import { DatasetError } from './errors.js';
import { type IdxArray, readIdxFile } from './idx.js';
import { DEFAULT_LAYOUT, type LayoutOptions, layoutSlots } from './layout.js';
import { requireDataDir, resolveLayout } from './options.js';
import { Rng, SPLIT_STREAM } from './rng.js';
import type { BoxAnnotation, DatasetOptions, DatasetSplit, DetectionSample, ProxyDataset, SplitName } from './types.js';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Where Debian's `dataset-fashion-mnist` package puts the files; used when no directory is given. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface GlyphSet {
  count: number;
  rows: number;
  cols: number;
  images: Uint8Array;
  labels: Uint8Array;
}

function glyphSet(images: IdxArray, labels: IdxArray): GlyphSet {
  const bad = (file: string, what: string) => new DatasetError('MALFORMED_FILE', `${file}: ${what}`, { file });
  if (images.dims.length !== 3)
    throw bad(images.file, `expected an image file (3 dimensions: count×rows×cols), got ${images.dims.length}`);
  if (labels.dims.length !== 1)
    throw bad(labels.file, `expected a label file (1 dimension), got ${labels.dims.length}`);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count)
    throw bad(labels.file, `has ${labels.dims[0]} labels but ${images.file} has ${count} images`);
  if (count === 0 || rows === 0 || cols === 0) throw bad(images.file, 'holds no images');
  for (let i = 0; i < count; i++) {
    if (labels.data[i] >= FASHION_MNIST_CLASSES.length)
      throw bad(labels.file, `label ${labels.data[i]} at index ${i} is not a class 0..9`);
  }
  return { count, rows, cols, images: images.data, labels: labels.data };
}

/** Read both glyph sets (train, t10k) from `dir`; errors name the file and what was expected. */
export function readFashionMnist(dir: string): { train: GlyphSet; heldout: GlyphSet } {
  if (!existsSync(dir)) {
    throw new DatasetError(
      'MISSING_FILE',
      `fashion-mnist directory not found: ${dir} (pass --data DIR with the IDX files, or install Debian's dataset-fashion-mnist package)`,
      { file: dir },
    );
  }
  return {
    train: glyphSet(readIdxFile(dir, 'train-images-idx3-ubyte'), readIdxFile(dir, 'train-labels-idx1-ubyte')),
    heldout: glyphSet(readIdxFile(dir, 't10k-images-idx3-ubyte'), readIdxFile(dir, 't10k-labels-idx1-ubyte')),
  };
}

/** Bilinear resize of glyph `g` to s×s (pixel-centre aligned, edges clamped). */
export function resizeGlyph(set: GlyphSet, g: number, s: number): Uint8Array {
  const { rows, cols } = set;
  const src = set.images.subarray(g * rows * cols, (g + 1) * rows * cols);
  const out = new Uint8Array(s * s);
  const sy = rows / s;
  const sx = cols / s;
  for (let y = 0; y < s; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), rows - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, rows - 1);
    const wy = fy - y0;
    for (let x = 0; x < s; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), cols - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, cols - 1);
      const wx = fx - x0;
      const top = src[y0 * cols + x0] * (1 - wx) + src[y0 * cols + x1] * wx;
      const bot = src[y1 * cols + x0] * (1 - wx) + src[y1 * cols + x1] * wx;
      out[y * s + x] = Math.round(top * (1 - wy) + bot * wy);
    }
  }
  return out;
}

export function renderFashionScene(
  set: GlyphSet,
  seed: number,
  split: SplitName,
  index: number,
  imageSize: number,
  layout: LayoutOptions = DEFAULT_LAYOUT,
): DetectionSample {
  // A different stream constant from `shapes`, so the two datasets with one seed are unrelated.
  const rng = new Rng(seed, SPLIT_STREAM[split] ^ 0x464d4e53, index);
  const canvas = createCanvas(imageSize, imageSize);
  const bg = paintBackground(canvas, rng);
  paintClutter(canvas, rng, rng.intIn(0, 8));
  const px = canvas.pixels;
  const boxes: BoxAnnotation[] = [];
  for (const slot of layoutSlots(rng, imageSize, layout)) {
    const g = rng.int(set.count);
    const tint: Rgb = contrastingColour(rng, bg.colours, 160);
    const s = Math.max(1, Math.round(slot.size));
    const glyph = resizeGlyph(set, g, s);
    const ox = Math.round(slot.cx - s / 2);
    const oy = Math.round(slot.cy - s / 2);
    // Tight box of the glyph's non-zero pixels after resizing, clipped to the image.
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -1,
      y1 = -1;
    for (let y = 0; y < s; y++) {
      const iy = oy + y;
      if (iy < 0 || iy >= imageSize) continue;
      for (let x = 0; x < s; x++) {
        const ix = ox + x;
        if (ix < 0 || ix >= imageSize || glyph[y * s + x] === 0) continue;
        if (ix < x0) x0 = ix;
        if (ix > x1) x1 = ix;
        if (iy < y0) y0 = iy;
        if (iy > y1) y1 = iy;
      }
    }
    if (x1 < 0 || x1 - x0 + 1 < 2 || y1 - y0 + 1 < 2) continue; // cut to a sliver: neither drawn nor labelled
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        // Glyph intensity as opacity, boosted: Fashion-MNIST garments are mostly mid-grey, and at /255 they
        // would be half-transparent ghosts.
        const a = Math.min(1, glyph[(y - oy) * s + (x - ox)] / 160);
        if (a === 0) continue;
        const o = (y * imageSize + x) * 3;
        px[o] = clampByte(px[o] * (1 - a) + tint[0] * a);
        px[o + 1] = clampByte(px[o + 1] * (1 - a) + tint[1] * a);
        px[o + 2] = clampByte(px[o + 2] * (1 - a) + tint[2] * a);
      }
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    boxes.push({ bbox: [x0, y0, w, h], category: set.labels[g], area: w * h, iscrowd: 0 });
  }
  return { id: index, width: imageSize, height: imageSize, pixels: px, boxes };
}

/** The glyph set a split draws from: t10k for held-out and test, never a glyph the train split uses. */
export function glyphsOf(sets: { train: GlyphSet; heldout: GlyphSet }, split: SplitName): GlyphSet {
  return split === 'train' ? sets.train : sets.heldout;
}

export function createFashionMnistScenes(
  sets: { train: GlyphSet; heldout: GlyphSet },
  o: Omit<DatasetOptions, 'dataset' | 'dataDir' | 'layout'> & { layout?: LayoutOptions },
): ProxyDataset {
  const split = (name: SplitName, count: number): DatasetSplit => ({
    count,
    get(index: number) {
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new RangeError(`fashion-mnist-scenes ${name} split: index ${index} out of range [0, ${count})`);
      }
      return renderFashionScene(glyphsOf(sets, name), o.seed, name, index, o.imageSize, o.layout);
    },
  });
  const splits = {
    train: split('train', o.trainImages),
    heldout: split('heldout', o.heldoutImages),
    test: split('test', o.testImages ?? 0),
  };
  return {
    name: 'fashion-mnist-scenes',
    categories: FASHION_MNIST_CLASSES.map((name, i) => ({ name, cocoId: i + 1 })),
    imageSize: o.imageSize,
    split: (name) => splits[name],
  };
}

// The last glyph sets read, keyed by folder + the files' sizes and mtimes: a worker runs many trials in one
// process, and reading + gunzipping the 47 MB train file takes 0.3–1 s each time.
let memo: { key: string; sets: { train: GlyphSet; heldout: GlyphSet } } | undefined;

function filesKey(dir: string): string {
  const parts = [resolve(dir)];
  for (const f of readdirSync(dir)
    .filter((n) => /-idx[13]-ubyte(\.gz)?$/.test(n))
    .sort()) {
    const st = statSync(join(dir, f));
    parts.push(`${f}:${st.size}:${st.mtimeMs}`);
  }
  return parts.join('|');
}

export async function loadFashionMnistScenes(o: DatasetOptions): Promise<ProxyDataset> {
  const layout = resolveLayout(o.layout);
  const dir = o.dataDir ?? DEBIAN_FASHION_MNIST_DIR;
  if (o.dataDir !== undefined) requireDataDir(dir);
  const key = existsSync(dir) ? filesKey(dir) : '';
  if (!memo || memo.key !== key || !key) memo = { key, sets: readFashionMnist(dir) };
  return createFashionMnistScenes(memo.sets, { ...o, layout });
}
