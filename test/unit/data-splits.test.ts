// The test split: where each dataset takes it from, that adding it left the train and held-out data as they
// were (golden hashes measured before the split existed), and that nothing but a direct trainer call can
// score on it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import sharp from 'sharp';

import { exportCoco } from '../../src/data/export.js';
import { createFashionMnistScenes, type GlyphSet } from '../../src/data/fashion-mnist-scenes.js';
import { createShapesDataset, loadDataset, type ProxyDataset, type SplitName } from '../../src/data/index.js';
import { openDataset } from '../../src/data/open.js';
import { resolveProxyTask } from '../../src/trial/proxy-task.js';

const LAYOUT = { minObjects: 1, maxObjects: 4, minSize: 8, maxSizeFraction: 0.9, maxOverlap: 0.2 };

function hashSplit(ds: ProxyDataset, split: SplitName, n: number): string {
  const c = createHash('sha256');
  for (let i = 0; i < n; i++) {
    const s = ds.split(split).get(i);
    c.update(s.pixels);
    c.update(JSON.stringify(s.boxes));
  }
  return c.digest('hex').slice(0, 16);
}

function glyphs(n: number, label0: number): GlyphSet {
  const images = new Uint8Array(n * 64);
  for (let g = 0; g < n; g++) for (let k = 0; k < 64; k++) images[g * 64 + k] = (k * 7 + g * 13) % 256;
  return { count: n, rows: 8, cols: 8, images, labels: Uint8Array.from({ length: n }, (_, g) => (label0 + g) % 10) };
}

describe('test split of the procedural datasets', () => {
  // Measured with the version before the test split existed (same options): the train and held-out
  // streams must not move when a third one is added.
  const GOLDEN = {
    shapesTrain: 'b1f29b47aa7f241b',
    shapesHeldout: '4b155ec750e935c0',
    fashionTrain: '2ee26213fe8bec4e',
    fashionHeldout: 'd41bcf758bc45045',
  };
  const common = { imageSize: 48, trainImages: 16, heldoutImages: 16, seed: 5, layout: LAYOUT };

  test('train and held-out images are those of the version without a test split', () => {
    for (const testImages of [undefined, 0, 16]) {
      const shapes = createShapesDataset({ ...common, testImages });
      const fashion = createFashionMnistScenes(
        { train: glyphs(7, 0), heldout: glyphs(5, 5) },
        { ...common, testImages },
      );
      assert.deepEqual(
        {
          shapesTrain: hashSplit(shapes, 'train', 16),
          shapesHeldout: hashSplit(shapes, 'heldout', 16),
          fashionTrain: hashSplit(fashion, 'train', 16),
          fashionHeldout: hashSplit(fashion, 'heldout', 16),
        },
        GOLDEN,
      );
    }
  });

  test('the test split is empty unless asked for; its size is its own option', async () => {
    const ds = createShapesDataset(common);
    assert.equal(ds.split('test').count, 0);
    assert.throws(() => ds.split('test').get(0), /shapes test split: index 0 out of range \[0, 0\)/);
    const task = resolveProxyTask({ trainImages: 4, heldoutImages: 4 });
    assert.equal((await openDataset(task)).split('test').count, 0);
    const withTest = await openDataset({ ...task, testImages: 6 });
    assert.equal(withTest.split('test').count, 6);
    assert.notEqual(hashSplit(withTest, 'test', 4), hashSplit(withTest, 'heldout', 4));
  });

  test('a bad testImages is named', async () => {
    await assert.rejects(
      loadDataset({ dataset: 'shapes', imageSize: 32, trainImages: 1, heldoutImages: 1, testImages: -1, seed: 0 }),
      /dataset option testImages must be an integer in \[0, 1000000000\], got -1/,
    );
  });

  test('a campaign cannot reach the test split: the proxy task has no key for it', () => {
    for (const key of ['testImages', 'split', 'scoreOn']) {
      assert.throws(() => resolveProxyTask({ [key]: 'test' } as never), new RegExp(`\\$\\.${key}: unknown key`));
    }
  });
});

describe('test split of a COCO folder', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'pyramid-nas-coco-test-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const opts = (dataDir: string, more: object = {}) => ({
    dataset: 'coco' as const,
    dataDir,
    imageSize: 32,
    trainImages: 100,
    heldoutImages: 100,
    testImages: 100,
    seed: 0,
    ...more,
  });

  /** A folder with instances.json listing images `ids` (each a small PNG), optionally a split file. */
  async function folder(dir: string, ids: number[], split?: object): Promise<void> {
    mkdirSync(join(dir, 'images'), { recursive: true });
    for (const id of ids) {
      await sharp(Buffer.alloc(20 * 10 * 3, id * 20), { raw: { width: 20, height: 10, channels: 3 } })
        .png()
        .toFile(join(dir, 'images', `${id}.png`));
    }
    const doc = {
      images: ids.map((id) => ({ id, file_name: `${id}.png`, width: 20, height: 10 })),
      annotations: ids.map((id) => ({ id, image_id: id, category_id: 1, bbox: [2, 2, 8, 4], area: 32, iscrowd: 0 })),
      categories: [{ id: 1, name: 'thing' }],
    };
    writeFileSync(join(dir, 'instances.json'), JSON.stringify(doc));
    if (split)
      writeFileSync(join(dir, 'pyramid-nas.split.json'), JSON.stringify({ format: 'pyramid-nas-split/1', ...split }));
  }

  const ids = (ds: ProxyDataset, split: SplitName) =>
    Array.from({ length: ds.split(split).count }, (_, i) => ds.split(split).get(i).id + 1);

  test("the split file's test key", async () => {
    const dir = join(root, 'keyed');
    await folder(dir, [1, 2, 3, 4, 5], { train: [1, 2], heldout: [3], test: [5, 4] });
    const ds = await loadDataset(opts(dir));
    assert.deepEqual([ids(ds, 'train'), ids(ds, 'heldout'), ids(ds, 'test')], [[1, 2], [3], [4, 5]]);
    // A campaign's dataset (no testImages) decodes none of them.
    assert.equal((await loadDataset(opts(dir, { testImages: undefined }))).split('test').count, 0);
    await folder(dir, [1, 2, 3], { train: [1], heldout: [2], test: [9] });
    await assert.rejects(loadDataset(opts(dir)), /pyramid-nas\.split\.json: \$\.test\[0\]: image id 9 is not in/);
  });

  test('without a split file the seeded hash split has no test images', async () => {
    const dir = join(root, 'hashed');
    await folder(dir, [1, 2, 3, 4, 5, 6, 7, 8]);
    const ds = await loadDataset(opts(dir));
    assert.equal(ds.split('test').count, 0);
    assert.equal(ds.split('train').count + ds.split('heldout').count, 8);
  });

  test('a test/ folder beside train/ and heldout/', async () => {
    const dir = join(root, 'per-split');
    await folder(join(dir, 'train'), [1, 2]);
    await folder(join(dir, 'heldout'), [3]);
    await folder(join(dir, 'test'), [4, 5, 6]);
    const ds = await loadDataset(opts(dir));
    assert.deepEqual([ids(ds, 'train'), ids(ds, 'heldout'), ids(ds, 'test')], [[1, 2], [3], [4, 5, 6]]);
    // An export of the held-out split placed in test/ is refused rather than evaluated on.
    await folder(join(dir, 'test'), [4], { heldout: [4] });
    await assert.rejects(
      loadDataset(opts(dir)),
      /test.pyramid-nas\.split\.json: this folder is used as the test split but holds an export of the heldout split/,
    );
  });

  test('an exported test split loads back as the test split, byte for byte', async () => {
    const shapes = createShapesDataset({ imageSize: 24, trainImages: 0, heldoutImages: 0, testImages: 3, seed: 2 });
    const out = join(root, 'export-test');
    await exportCoco(shapes, { split: 'test', out });
    const split = JSON.parse(readFileSync(join(out, 'pyramid-nas.split.json'), 'utf8'));
    assert.deepEqual([split.train, split.heldout, split.test], [[], [], [1, 2, 3]]);
    const back = await loadDataset(opts(out, { imageSize: 24 }));
    assert.deepEqual([back.split('train').count, back.split('heldout').count], [0, 0]);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(back.split('test').get(i).pixels, shapes.split('test').get(i).pixels);
      assert.deepEqual(back.split('test').get(i).boxes, shapes.split('test').get(i).boxes);
    }
  });

  test('annotations/instances_test*.json is the test split beside a val file, the held-out one without', async () => {
    const dir = join(root, 'official');
    const write = async (name: string, id: number) => {
      mkdirSync(join(dir, 'annotations'), { recursive: true });
      mkdirSync(join(dir, name), { recursive: true });
      await sharp(Buffer.alloc(20 * 10 * 3, 90), { raw: { width: 20, height: 10, channels: 3 } })
        .png()
        .toFile(join(dir, name, 'a.png'));
      const doc = {
        images: [{ id, file_name: 'a.png', width: 20, height: 10 }],
        annotations: [],
        categories: [{ id: 1, name: 'thing' }],
      };
      writeFileSync(join(dir, 'annotations', `instances_${name}.json`), JSON.stringify(doc));
    };
    await write('train2017', 1);
    await write('test2017', 3);
    let ds = await loadDataset(opts(dir));
    assert.deepEqual([ids(ds, 'train'), ids(ds, 'heldout'), ids(ds, 'test')], [[1], [3], []]);
    await write('val2017', 2);
    ds = await loadDataset(opts(dir));
    assert.deepEqual([ids(ds, 'train'), ids(ds, 'heldout'), ids(ds, 'test')], [[1], [2], [3]]);
  });
});
