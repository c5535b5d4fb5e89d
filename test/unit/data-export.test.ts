import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { exportCoco } from '../../src/data/export.js';
import { DatasetError, loadDataset } from '../../src/data/index.js';
import type { DatasetOptions, ProxyDataset, SplitName } from '../../src/data/types.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-export-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const base = { imageSize: 48, trainImages: 24, heldoutImages: 10, seed: 11 };

function assertSameSplit(a: ProxyDataset, b: ProxyDataset, split: SplitName): void {
  assert.equal(b.split(split).count, a.split(split).count);
  for (let i = 0; i < a.split(split).count; i++) {
    // Byte-identical pixels, identical boxes/ids: the trainer cannot tell the two apart.
    assert.deepEqual(b.split(split).get(i), a.split(split).get(i), `${split} sample ${i}`);
  }
}

async function roundTrip(opts: DatasetOptions, dir: string): Promise<void> {
  const built = await loadDataset(opts);
  const r1 = await exportCoco(built, { split: 'train', out: join(dir, 'train') });
  const r2 = await exportCoco(built, { split: 'heldout', out: join(dir, 'heldout') });
  assert.equal(r1.images, opts.trainImages);
  assert.equal(r2.images, opts.heldoutImages);
  const back = await loadDataset({ ...opts, dataset: 'coco', dataDir: dir });
  assert.deepEqual(back.categories, built.categories);
  assertSameSplit(built, back, 'train');
  assertSameSplit(built, back, 'heldout');
  // One exported split alone loads as that split (its pyramid-nas.split.json says which).
  const heldOnly = await loadDataset({ ...opts, dataset: 'coco', dataDir: join(dir, 'heldout') });
  assert.equal(heldOnly.split('train').count, 0);
  assertSameSplit(built, heldOnly, 'heldout');
}

describe('dataset export → coco loader', () => {
  test('shapes: both splits come back byte-identical', async () => {
    await roundTrip({ dataset: 'shapes', ...base }, join(root, 'shapes'));
    const doc = JSON.parse(readFileSync(join(root, 'shapes', 'train', 'instances.json'), 'utf8'));
    assert.equal(doc.images.length, 24);
    assert.deepEqual(Object.keys(doc.annotations[0]).sort(), [
      'area',
      'bbox',
      'category_id',
      'id',
      'image_id',
      'iscrowd',
    ]);
    assert.equal(new Set(doc.annotations.map((a: { id: number }) => a.id)).size, doc.annotations.length);
    assert.equal(readdirSync(join(root, 'shapes', 'train', 'images')).filter((f) => f.endsWith('.png')).length, 24);
  });

  test('fashion-mnist-scenes: both splits come back byte-identical', async () => {
    const idxDir = join(root, 'idx');
    mkdirSync(idxDir);
    const idx = (dims: number[], data: Uint8Array) => {
      const h = Buffer.alloc(4 + 4 * dims.length);
      h.writeUInt32BE(0x800 | dims.length, 0);
      dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
      return gzipSync(Buffer.concat([h, data]));
    };
    const glyphs = Uint8Array.from({ length: 6 * 784 }, (_, i) => ((i % 28) * 9 + Math.floor(i / 28) * 5) % 256);
    for (const p of ['train', 't10k']) {
      writeFileSync(join(idxDir, `${p}-images-idx3-ubyte.gz`), idx([6, 28, 28], glyphs));
      writeFileSync(join(idxDir, `${p}-labels-idx1-ubyte.gz`), idx([6], Uint8Array.from([0, 1, 2, 7, 8, 9])));
    }
    await roundTrip({ dataset: 'fashion-mnist-scenes', dataDir: idxDir, ...base }, join(root, 'fashion'));
  });

  test('refuses an existing folder unless forced; a failure leaves nothing behind', async () => {
    const ds = await loadDataset({ dataset: 'shapes', ...base });
    const out = join(root, 'exists');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'x');
    await assert.rejects(
      exportCoco(ds, { split: 'heldout', out }),
      (e: unknown) => e instanceof DatasetError && /already exists/.test(e.message),
    );
    assert.ok(existsSync(join(out, 'keep.txt')));
    // --force replaces only an earlier export or an empty folder, never a folder of other files.
    await assert.rejects(
      exportCoco(ds, { split: 'heldout', out, force: true }),
      (e: unknown) => e instanceof DatasetError && /not an earlier dataset export/.test(e.message),
    );
    assert.ok(existsSync(join(out, 'keep.txt')));
    const earlier = join(root, 'earlier');
    await exportCoco(ds, { split: 'heldout', out: earlier });
    writeFileSync(join(earlier, 'stale.txt'), 'x');
    await exportCoco(ds, { split: 'heldout', out: earlier, force: true });
    assert.ok(!existsSync(join(earlier, 'stale.txt')) && existsSync(join(earlier, 'instances.json')));

    const failing: ProxyDataset = {
      ...ds,
      split: (name) => ({
        count: 8,
        get: (i) => {
          if (i === 5) throw new Error('boom at 5');
          return ds.split(name).get(i);
        },
      }),
    };
    const parent = join(root, 'fail');
    mkdirSync(parent);
    await assert.rejects(exportCoco(failing, { split: 'train', out: join(parent, 'out') }), /boom at 5/);
    assert.deepEqual(readdirSync(parent), []);
  });
});
