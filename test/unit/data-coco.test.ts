import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import sharp from 'sharp';

import { HASH_HELDOUT_FRACTION, hashSplitOf } from '../../src/data/coco.js';
import { DatasetError, loadDataset } from '../../src/data/index.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-coco-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const opts = (dataDir: string, more: object = {}) => ({
  dataset: 'coco' as const,
  dataDir,
  imageSize: 64,
  trainImages: 1000,
  heldoutImages: 1000,
  seed: 0,
  ...more,
});

/** A w×h RGB PNG of colour `bg` with a filled rectangle [x, y, rw, rh] of colour `fg`. */
async function rectPng(file: string, w: number, h: number, rect: number[], bg: number[], fg: number[]): Promise<void> {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= rect[0] && x < rect[0] + rect[2] && y >= rect[1] && y < rect[1] + rect[3];
      px.set(inside ? fg : bg, (y * w + x) * 3);
    }
  }
  await sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(file);
}

/** The main fixture: a wide RGB image with a crowd box, a tall grey one, non-contiguous category ids. */
async function fixture(dir: string, split?: object): Promise<void> {
  mkdirSync(join(dir, 'images'), { recursive: true });
  await rectPng(join(dir, 'images', 'wide.png'), 200, 100, [50, 20, 50, 40], [10, 20, 30], [255, 0, 0]);
  const grey = Buffer.alloc(60 * 120, 77);
  await sharp(grey, { raw: { width: 60, height: 120, channels: 1 } })
    .png()
    .toFile(join(dir, 'images', 'tall.png'));
  const doc = {
    info: {},
    images: [
      { id: 9, file_name: 'tall.png', width: 60, height: 120 },
      { id: 5, file_name: 'wide.png', width: 200, height: 100 },
    ],
    annotations: [
      { id: 1, image_id: 5, category_id: 7, bbox: [50, 20, 50, 40], area: 2000, iscrowd: 0 },
      { id: 2, image_id: 5, category_id: 3, bbox: [0, 0, 10, 10], area: 100, iscrowd: 1 },
      { id: 3, image_id: 9, category_id: 3, bbox: [6, 12, 30, 60] },
    ],
    categories: [
      { id: 7, name: 'cat' },
      { id: 3, name: 'dog' },
    ],
  };
  writeFileSync(join(dir, 'instances.json'), JSON.stringify(doc));
  if (split)
    writeFileSync(join(dir, 'pyramid-nas.split.json'), JSON.stringify({ format: 'pyramid-nas-split/1', ...split }));
}

describe('coco loader', () => {
  test('letterboxes, scales boxes, keeps iscrowd and COCO ids', async () => {
    const dir = join(root, 'main');
    await fixture(dir, { train: [5, 9], heldout: [] });
    const ds = await loadDataset(opts(dir));
    assert.deepEqual(ds.categories, [
      { name: 'dog', cocoId: 3 },
      { name: 'cat', cocoId: 7 },
    ]);
    const train = ds.split('train');
    assert.equal(train.count, 2);
    assert.equal(ds.split('heldout').count, 0);
    const wide = train.get(0); // sorted by image id: 5 then 9
    assert.equal(wide.id, 4); // COCO image id = sample id + 1
    assert.equal(wide.width, 64);
    // 200×100 → 64×32 (scale 0.32), top-left, black padding below.
    const k = 64 / 200;
    assert.deepEqual(
      wide.boxes[0].bbox.map((v) => +v.toFixed(9)),
      [50 * k, 20 * k, 50 * k, 40 * k].map((v) => +v.toFixed(9)),
    );
    assert.equal(wide.boxes[0].category, 1);
    assert.ok(Math.abs(wide.boxes[0].area - 2000 * k * k) < 1e-9);
    assert.equal(wide.boxes[0].iscrowd, 0);
    assert.equal(wide.boxes[1].iscrowd, 1);
    assert.equal(wide.boxes[1].category, 0);
    const px = (s: typeof wide, x: number, y: number) =>
      Array.from(s.pixels.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3));
    const centre = px(wide, 24, 13);
    assert.ok(centre[0] > 240 && centre[1] < 15 && centre[2] < 15, `rectangle centre ${centre}`);
    const bg = px(wide, 3, 28);
    assert.ok(Math.abs(bg[0] - 10) <= 2 && Math.abs(bg[2] - 30) <= 2, `background ${bg}`);
    for (let y = 32; y < 64; y++) for (let x = 0; x < 64; x++) assert.deepEqual(px(wide, x, y), [0, 0, 0]);
    // 60×120 grey → 32×64, padding on the right; grey expands to three equal channels.
    const tall = train.get(1);
    assert.equal(tall.id, 8);
    assert.deepEqual(px(tall, 10, 40), [77, 77, 77]);
    assert.deepEqual(px(tall, 40, 40), [0, 0, 0]);
    const t = 64 / 120;
    assert.ok(Math.abs(tall.boxes[0].area - 30 * 60 * t * t) < 1e-9, 'missing area defaults to w·h, then scaled');
    assert.equal(tall.boxes[0].iscrowd, 0);
  });

  test('an image whose longer side is the proxy size is not resampled', async () => {
    const dir = join(root, 'exact');
    mkdirSync(dir, { recursive: true });
    const px = Buffer.from(Array.from({ length: 64 * 40 * 3 }, (_, i) => (i * 37) % 256));
    await sharp(px, { raw: { width: 64, height: 40, channels: 3 } })
      .png()
      .toFile(join(dir, 'a.png'));
    writeFileSync(
      join(dir, 'instances.json'),
      JSON.stringify({
        images: [{ id: 1, file_name: 'a.png', width: 64, height: 40 }],
        annotations: [{ image_id: 1, category_id: 1, bbox: [1.5, 2, 3, 4] }],
        categories: [{ id: 1, name: 'x' }],
      }),
    );
    writeFileSync(join(dir, 'pyramid-nas.split.json'), JSON.stringify({ format: 'pyramid-nas-split/1', heldout: [1] }));
    const s = (await loadDataset(opts(dir))).split('heldout').get(0);
    assert.deepEqual(Buffer.from(s.pixels.subarray(0, 64 * 40 * 3)), px);
    assert.deepEqual(s.boxes[0].bbox, [1.5, 2, 3, 4]);
  });

  test('alpha is flattened onto the pad colour; RGBA and grey+alpha come back as RGB', async () => {
    const dir = join(root, 'alpha');
    mkdirSync(dir, { recursive: true });
    // 8×1 images: an opaque first pixel, then fully transparent ones (whose colour must not show).
    const rgba = Buffer.alloc(8 * 4);
    rgba.set([255, 255, 255, 255]);
    for (let i = 1; i < 8; i++) rgba.set([200, 100, 50, 0], i * 4);
    await sharp(rgba, { raw: { width: 8, height: 1, channels: 4 } })
      .png()
      .toFile(join(dir, 'rgba.png'));
    const ga = Buffer.alloc(8 * 2);
    ga.set([90, 255]);
    for (let i = 1; i < 8; i++) ga.set([170, 0], i * 2);
    await sharp(ga, { raw: { width: 8, height: 1, channels: 2 } })
      .png()
      .toFile(join(dir, 'ga.png'));
    writeFileSync(
      join(dir, 'instances.json'),
      JSON.stringify({
        images: [
          { id: 1, file_name: 'rgba.png', width: 8, height: 1 },
          { id: 2, file_name: 'ga.png', width: 8, height: 1 },
        ],
        annotations: [],
        categories: [{ id: 1, name: 'x' }],
      }),
    );
    writeFileSync(
      join(dir, 'pyramid-nas.split.json'),
      JSON.stringify({ format: 'pyramid-nas-split/1', train: [1, 2] }),
    );
    const ds = await loadDataset(opts(dir, { imageSize: 8 }));
    const firstRow = (i: number) =>
      Array.from(
        ds
          .split('train')
          .get(i)
          .pixels.subarray(0, 8 * 3),
      );
    assert.deepEqual(firstRow(0), [255, 255, 255, ...new Array(21).fill(0)]);
    assert.deepEqual(firstRow(1), [90, 90, 90, ...new Array(21).fill(0)]);
    assert.ok(
      ds
        .split('train')
        .get(1)
        .pixels.subarray(8 * 3)
        .every((v) => v === 0),
      'pad rows',
    );
  });

  test('without a split of its own: a seeded hash of the image id, about 20% held out', async () => {
    const dir = join(root, 'hash');
    mkdirSync(join(dir, 'images'), { recursive: true });
    const n = 60;
    await sharp(Buffer.alloc(8 * 8 * 3, 128), { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toFile(join(dir, 'images', 'a.png'));
    const images = Array.from({ length: n }, (_, i) => ({ id: 100 + i, file_name: 'a.png', width: 8, height: 8 }));
    writeFileSync(
      join(dir, 'instances.json'),
      JSON.stringify({ images, annotations: [], categories: [{ id: 1, name: 'x' }] }),
    );
    const ids = async (seed: number) => {
      const ds = await loadDataset(opts(dir, { seed, imageSize: 8 }));
      const get = (name: 'train' | 'heldout') =>
        Array.from({ length: ds.split(name).count }, (_, i) => ds.split(name).get(i).id + 1);
      return { train: get('train'), heldout: get('heldout') };
    };
    const a = await ids(1);
    assert.deepEqual(
      [...a.train, ...a.heldout].sort((x, y) => x - y),
      images.map((im) => im.id),
    );
    assert.deepEqual(
      a.heldout,
      images.map((im) => im.id).filter((id) => hashSplitOf(id, 1) === 'heldout'),
    );
    assert.deepEqual(await ids(1), a);
    assert.notDeepEqual((await ids(2)).heldout, a.heldout);
    // The fraction over many ids (the hash, not this tiny folder).
    let held = 0;
    for (let id = 0; id < 20000; id++) if (hashSplitOf(id, 7) === 'heldout') held++;
    assert.ok(Math.abs(held / 20000 - HASH_HELDOUT_FRACTION) < 0.02, `held-out fraction ${held / 20000}`);
    // trainImages/heldoutImages take the first images (by id) of each split.
    const ds = await loadDataset(opts(dir, { seed: 1, imageSize: 8, trainImages: 3, heldoutImages: 2 }));
    assert.equal(ds.split('train').count, 3);
    assert.equal(ds.split('train').get(2).id + 1, a.train[2]);
    assert.equal(ds.split('heldout').count, 2);
  });

  test('folder per split (train/ + heldout/ or val/) and the official annotations/instances_*.json layout', async () => {
    const b = join(root, 'per-split');
    await fixture(join(b, 'train'));
    await fixture(join(b, 'val'));
    const ds = await loadDataset(opts(b));
    assert.equal(ds.split('train').count, 2);
    assert.equal(ds.split('heldout').count, 2);
    // An export of the train split in the held-out folder is refused, not silently evaluated on.
    const swapped = join(root, 'swapped');
    await fixture(join(swapped, 'train'), { train: [5, 9] });
    await fixture(join(swapped, 'heldout'), { train: [5, 9] });
    await assert.rejects(
      loadDataset(opts(swapped)),
      /heldout.pyramid-nas\.split\.json: this folder is used as the heldout split but holds an export of the train split/,
    );

    const c = join(root, 'official');
    mkdirSync(join(c, 'annotations'), { recursive: true });
    for (const name of ['train2017', 'val2017']) {
      mkdirSync(join(c, name));
      await rectPng(join(c, name, 'wide.png'), 200, 100, [50, 20, 50, 40], [10, 20, 30], [255, 0, 0]);
      await sharp(Buffer.alloc(60 * 120, 77), { raw: { width: 60, height: 120, channels: 1 } })
        .png()
        .toFile(join(c, name, 'tall.png'));
      writeFileSync(
        join(c, 'annotations', `instances_${name}.json`),
        JSON.stringify({
          images: [
            { id: name === 'val2017' ? 1 : 2, file_name: 'wide.png', width: 200, height: 100 },
            { id: 3, file_name: 'tall.png', width: 60, height: 120 },
          ],
          annotations: [],
          categories: [{ id: 1, name: 'x' }],
        }),
      );
    }
    const ds2 = await loadDataset(opts(c));
    assert.deepEqual([ds2.split('train').get(0).id, ds2.split('heldout').get(0).id], [1, 0]);
  });

  test('clear errors: folders, files, JSON paths, images', async () => {
    const expectError = async (dir: string, code: string, message: RegExp, more: object = {}) =>
      assert.rejects(loadDataset(opts(dir, more)), (e: unknown) => {
        assert.ok(e instanceof DatasetError, String(e));
        assert.equal(e.code, code, e.message);
        assert.match(e.message, message);
        return true;
      });
    await expectError(join(root, 'absent'), 'MISSING_FILE', /COCO folder not found: .*absent/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expectError(empty, 'MISSING_FILE', /no COCO annotations in .*empty: expected instances\.json/);

    const edit = async (name: string, change: (doc: any) => void, code: string, message: RegExp) => {
      const dir = join(root, `err-${name}`);
      await fixture(dir);
      const doc = JSON.parse(readFileSync(join(dir, 'instances.json'), 'utf8'));
      change(doc);
      writeFileSync(join(dir, 'instances.json'), JSON.stringify(doc));
      await expectError(dir, code, message);
      return dir;
    };
    await edit(
      'bbox',
      (d) => (d.annotations[1].bbox = [0, 0, 'x', 1]),
      'BAD_JSON',
      /instances\.json: \$\.annotations\[1\]\.bbox\[2\]: must be a finite number, got "x"/,
    );
    await edit(
      'bbox-len',
      (d) => (d.annotations[0].bbox = [0, 0, 1]),
      'BAD_JSON',
      /\$\.annotations\[0\]\.bbox: must have 4 numbers \[x, y, w, h\]/,
    );
    await edit(
      'cat',
      (d) => (d.annotations[2].category_id = 99),
      'BAD_JSON',
      /\$\.annotations\[2\]\.category_id: no category with id 99/,
    );
    await edit(
      'img',
      (d) => (d.annotations[0].image_id = 42),
      'BAD_JSON',
      /\$\.annotations\[0\]\.image_id: no image with id 42/,
    );
    await edit('dup', (d) => (d.images[1].id = 9), 'BAD_JSON', /\$\.images\[1\]\.id: duplicate image id 9/);
    await edit(
      'crowd',
      (d) => (d.annotations[0].iscrowd = 2),
      'BAD_JSON',
      /\$\.annotations\[0\]\.iscrowd: must be 0 or 1/,
    );
    await edit('images', (d) => delete d.images, 'BAD_JSON', /\$\.images: must be an array/);
    await edit(
      'file',
      (d) => (d.images[0].file_name = 'gone.png'),
      'MISSING_FILE',
      /image "gone\.png" \(id 9, listed in .*instances\.json\) not found/,
    );
    await edit(
      'size',
      (d) => (d.images[0].width = 61),
      'DECODE_FAILED',
      /tall\.png: decoded size 60×120 differs from 61×120/,
    );

    const syntax = join(root, 'err-syntax');
    await fixture(syntax);
    writeFileSync(join(syntax, 'instances.json'), '{"images": [');
    await expectError(syntax, 'BAD_JSON', /err-syntax\/instances\.json: not valid JSON/);

    const broken = join(root, 'err-decode');
    await fixture(broken);
    writeFileSync(join(broken, 'images', 'wide.png'), 'this is not a PNG');
    await expectError(broken, 'DECODE_FAILED', /images\/wide\.png: cannot decode image/);

    const split = join(root, 'err-split');
    await fixture(split, { train: [5], heldout: [5] });
    await expectError(split, 'BAD_JSON', /pyramid-nas\.split\.json: \$\.heldout\[0\]: image id 5 is also in train/);
    const split2 = join(root, 'err-split2');
    await fixture(split2, { train: [5, 77] });
    await expectError(split2, 'BAD_JSON', /\$\.train\[1\]: image id 77 is not in/);

    await expectError(join(root, 'main'), 'TOO_LARGE', /over the 0 MiB bound/, { cacheBytes: 1000 });
  });
});
