import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { DEBIAN_FASHION_MNIST_DIR, readFashionMnist, resizeGlyph } from '../../src/data/fashion-mnist-scenes.js';
import { parseIdx } from '../../src/data/idx.js';
import { DatasetError, loadDataset } from '../../src/data/index.js';

function idx(dims: number[], data: Uint8Array, magic = 0x00000800 | dims.length): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

/** n glyphs 28×28: glyph g is a filled rectangle (rows 4..23, cols 6..21) of intensity 255; labels given. */
function glyphs(labels: number[]): { images: Buffer; labels: Buffer } {
  const px = new Uint8Array(labels.length * 784);
  labels.forEach((_, g) => {
    for (let y = 4; y < 24; y++) for (let x = 6; x < 22; x++) px[g * 784 + y * 28 + x] = 255;
  });
  return { images: idx([labels.length, 28, 28], px), labels: idx([labels.length], Uint8Array.from(labels)) };
}

function writeSet(dir: string, { gz = true, train = [0, 1, 2, 3, 4, 0, 1], test = [5, 6, 7, 8, 9] } = {}): void {
  mkdirSync(dir, { recursive: true });
  const put = (name: string, b: Buffer) => writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
  const tr = glyphs(train);
  const te = glyphs(test);
  put('train-images-idx3-ubyte', tr.images);
  put('train-labels-idx1-ubyte', tr.labels);
  put('t10k-images-idx3-ubyte', te.images);
  put('t10k-labels-idx1-ubyte', te.labels);
}

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-fashion-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const opts = (dataDir: string) => ({
  dataset: 'fashion-mnist-scenes' as const,
  dataDir,
  imageSize: 64,
  trainImages: 40,
  heldoutImages: 40,
  seed: 3,
});

describe('fashion-mnist-scenes', () => {
  test('reads gzipped and plain IDX files; train glyphs feed train, t10k glyphs feed held-out', async () => {
    for (const gz of [true, false]) {
      const dir = join(root, gz ? 'gz' : 'plain');
      writeSet(dir, { gz });
      const ds = await loadDataset(opts(dir));
      assert.equal(ds.categories.length, 10);
      assert.equal(ds.categories[9].cocoId, 10);
      const cats = { train: new Set<number>(), heldout: new Set<number>() };
      for (const split of ['train', 'heldout'] as const) {
        for (let i = 0; i < 40; i++) {
          const s = ds.split(split).get(i);
          assert.equal(s.pixels.length, 64 * 64 * 3);
          for (const b of s.boxes) {
            const [x, y, w, h] = b.bbox;
            assert.ok(x >= 0 && y >= 0 && x + w <= 64 && y + h <= 64 && w >= 2 && h >= 2, `box ${b.bbox}`);
            assert.equal(b.area, w * h);
            cats[split].add(b.category);
          }
        }
      }
      assert.ok([...cats.train].every((c) => c <= 4) && cats.train.size > 1, `train categories ${[...cats.train]}`);
      assert.ok(
        [...cats.heldout].every((c) => c >= 5) && cats.heldout.size > 1,
        `held-out categories ${[...cats.heldout]}`,
      );
    }
  });

  test('deterministic from the seed', async () => {
    const dir = join(root, 'det');
    writeSet(dir);
    const a = await loadDataset(opts(dir));
    const b = await loadDataset(opts(dir));
    const c = await loadDataset({ ...opts(dir), seed: 4 });
    assert.deepEqual(a.split('train').get(11), b.split('train').get(11));
    assert.notDeepEqual(a.split('train').get(11).pixels, c.split('train').get(11).pixels);
  });

  test('files changed on disk are read again (the in-process memo is keyed by size and mtime)', async () => {
    const dir = join(root, 'memo');
    writeSet(dir, { train: [1, 1, 1, 1, 1, 1, 1] });
    const cats = async () => {
      const ds = await loadDataset(opts(dir));
      return new Set(
        Array.from({ length: 40 }, (_, i) =>
          ds
            .split('train')
            .get(i)
            .boxes.map((b) => b.category),
        ).flat(),
      );
    };
    assert.deepEqual([...(await cats())], [1]);
    writeSet(dir, { train: [3, 3, 3, 3, 3, 3, 3, 3] }); // one glyph more: other sizes
    assert.deepEqual([...(await cats())], [3]);
  });

  test('box = tight box of the non-zero pixels of the resized glyph', () => {
    const dir = join(root, 'tight');
    writeSet(dir, { gz: false });
    const set = readFashionMnist(dir).train;
    for (const s of [4, 7, 14, 28, 56, 90]) {
      const g = resizeGlyph(set, 0, s);
      let x0 = s,
        x1 = -1,
        y0 = s,
        y1 = -1;
      for (let y = 0; y < s; y++)
        for (let x = 0; x < s; x++)
          if (g[y * s + x]) [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      // The source rectangle spans cols 6..21, rows 4..23 of 28; bilinear interpolation lets the resized one
      // bleed by up to one source pixel (k output px) on each side, never more.
      const k = s / 28;
      const tol = Math.max(1, k);
      assert.ok(Math.abs(x0 - 6 * k) <= tol && Math.abs(x1 + 1 - 22 * k) <= tol, `size ${s}: cols ${x0}..${x1}`);
      assert.ok(Math.abs(y0 - 4 * k) <= tol && Math.abs(y1 + 1 - 24 * k) <= tol, `size ${s}: rows ${y0}..${y1}`);
      assert.ok(x1 > x0 && y1 > y0);
    }
  });

  test('missing directory and missing files name what was expected', async () => {
    await assert.rejects(
      loadDataset(opts(join(root, 'nope'))),
      (e: unknown) => e instanceof DatasetError && e.code === 'MISSING_FILE' && /nope/.test(e.message),
    );
    const dir = join(root, 'partial');
    writeSet(dir);
    rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    await assert.rejects(
      loadDataset(opts(dir)),
      (e: unknown) =>
        e instanceof DatasetError && /t10k-labels-idx1-ubyte or .*t10k-labels-idx1-ubyte\.gz/.test(e.message),
    );
  });

  test('malformed files: bad magic, size mismatch, label count, bad label, bad gzip', async () => {
    const cases: Array<[string, (dir: string) => void, RegExp]> = [
      [
        'magic',
        (d) => writeFileSync(join(d, 'train-images-idx3-ubyte'), idx([7, 28, 28], new Uint8Array(7 * 784), 0x00000d03)),
        /train-images-idx3-ubyte: bad magic number 0x00000d03/,
      ],
      [
        'size',
        (d) => writeFileSync(join(d, 'train-images-idx3-ubyte'), idx([7, 28, 28], new Uint8Array(7 * 784 - 5))),
        /size mismatch: header says 7×28×28 = 5488 bytes of data, file has 5483/,
      ],
      [
        'count',
        (d) => writeFileSync(join(d, 'train-labels-idx1-ubyte'), idx([6], new Uint8Array(6))),
        /has 6 labels but .*train-images-idx3-ubyte has 7 images/,
      ],
      [
        'label',
        (d) => writeFileSync(join(d, 'train-labels-idx1-ubyte'), idx([7], Uint8Array.from([0, 1, 2, 3, 12, 0, 0]))),
        /label 12 at index 4/,
      ],
      [
        'dims',
        (d) => writeFileSync(join(d, 'train-images-idx3-ubyte'), idx([7, 784], new Uint8Array(7 * 784))),
        /expected an image file \(3 dimensions/,
      ],
      [
        'gzip',
        (d) => {
          rmSync(join(d, 'train-images-idx3-ubyte'));
          writeFileSync(join(d, 'train-images-idx3-ubyte.gz'), Buffer.from('not gzip'));
        },
        /train-images-idx3-ubyte\.gz: not a valid gzip file/,
      ],
    ];
    for (const [name, corrupt, message] of cases) {
      const dir = join(root, `bad-${name}`);
      writeSet(dir, { gz: false });
      corrupt(dir);
      await assert.rejects(
        loadDataset(opts(dir)),
        (e: unknown) => e instanceof DatasetError && e.code === 'MALFORMED_FILE' && message.test(e.message),
        name,
      );
    }
    assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0]), 'x.idx'), /truncated header/);
  });

  test(
    'the Debian dataset-fashion-mnist files, when installed',
    {
      skip: existsSync(DEBIAN_FASHION_MNIST_DIR)
        ? false
        : `${DEBIAN_FASHION_MNIST_DIR} not present (apt install dataset-fashion-mnist)`,
    },
    async () => {
      const sets = readFashionMnist(DEBIAN_FASHION_MNIST_DIR);
      assert.equal(sets.train.count, 60000);
      assert.equal(sets.heldout.count, 10000);
      assert.equal(sets.train.rows, 28);
      const ds = await loadDataset({
        dataset: 'fashion-mnist-scenes',
        imageSize: 96,
        trainImages: 50,
        heldoutImages: 50,
        seed: 0,
      });
      const seen = new Set<number>();
      for (let i = 0; i < 50; i++) for (const b of ds.split('train').get(i).boxes) seen.add(b.category);
      assert.ok(seen.size >= 8, `categories seen ${[...seen]}`);
    },
  );
});
