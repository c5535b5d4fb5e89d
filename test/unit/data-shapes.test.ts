import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { createShapesDataset, DatasetError, loadDataset, renderShapes, SHAPE_CLASSES } from '../../src/data/index.js';
import { splitStats } from '../../src/data/stats.js';
import type { DetectionSample } from '../../src/data/types.js';

const opts = (seed: number, imageSize = 64) => ({
  dataset: 'shapes' as const,
  imageSize,
  trainImages: 200,
  heldoutImages: 50,
  seed,
});

function checkBoxes(s: DetectionSample, categories: number): void {
  for (const b of s.boxes) {
    const [x, y, w, h] = b.bbox;
    assert.ok([x, y, w, h].every(Number.isInteger), `integer box ${b.bbox}`);
    assert.ok(x >= 0 && y >= 0 && x + w <= s.width && y + h <= s.height, `box ${b.bbox} inside ${s.width}×${s.height}`);
    assert.ok(w >= 2 && h >= 2, `box ${b.bbox} at least 2 px`);
    assert.equal(b.area, w * h);
    assert.equal(b.iscrowd, 0);
    assert.ok(Number.isInteger(b.category) && b.category >= 0 && b.category < categories);
  }
}

describe('shapes dataset', () => {
  test('loadDataset gives the documented surface', async () => {
    const ds = await loadDataset(opts(1));
    assert.equal(ds.name, 'shapes');
    assert.equal(ds.imageSize, 64);
    assert.ok(SHAPE_CLASSES.length >= 5);
    assert.deepEqual(
      ds.categories.map((c) => c.cocoId),
      SHAPE_CLASSES.map((_, i) => i + 1),
    );
    assert.equal(ds.split('train').count, 200);
    assert.equal(ds.split('heldout').count, 50);
    const s = ds.split('train').get(7);
    assert.equal(s.id, 7);
    assert.equal(s.pixels.length, 64 * 64 * 3);
    assert.ok(s.pixels instanceof Uint8Array);
    assert.throws(() => ds.split('train').get(200), RangeError);
    assert.throws(() => ds.split('heldout').get(-1), RangeError);
  });

  test('same seed gives identical bytes, in any access order; other seeds and splits differ', () => {
    const a = createShapesDataset(opts(42));
    const b = createShapesDataset(opts(42));
    const c = createShapesDataset(opts(43));
    const order = [5, 0, 199, 5, 17];
    for (const i of order) {
      const sa = a.split('train').get(i);
      const sb = b.split('train').get(i);
      assert.deepEqual(sa, sb);
      assert.notDeepEqual(sa.pixels, c.split('train').get(i).pixels);
      if (i < 50) assert.notDeepEqual(sa.pixels, a.split('heldout').get(i).pixels);
    }
    // The sample does not depend on how many images the split has (export --count N gives the first N).
    const small = createShapesDataset({ ...opts(42), trainImages: 10 });
    assert.deepEqual(small.split('train').get(5), a.split('train').get(5));
  });

  test('train and held-out samples never coincide', () => {
    const ds = createShapesDataset({ ...opts(9, 32), trainImages: 300, heldoutImages: 300 });
    const key = (s: DetectionSample) => Buffer.from(s.pixels).toString('base64');
    const train = new Set(Array.from({ length: 300 }, (_, i) => key(ds.split('train').get(i))));
    for (let i = 0; i < 300; i++)
      assert.ok(!train.has(key(ds.split('heldout').get(i))), `held-out ${i} equals a train image`);
  });

  test('boxes are inside the image and tight around the drawn shape', () => {
    for (let i = 0; i < 60; i++) {
      const size = [48, 64, 128][i % 3];
      const { sample, background } = renderShapes(i, i % 2 ? 'train' : 'heldout', i, { imageSize: size }, true);
      checkBoxes(sample, SHAPE_CLASSES.length);
      const bg = background!;
      const differs = (x: number, y: number) => {
        const o = (y * size + x) * 3;
        return sample.pixels[o] !== bg[o] || sample.pixels[o + 1] !== bg[o + 1] || sample.pixels[o + 2] !== bg[o + 2];
      };
      const inSomeBox = (x: number, y: number) =>
        sample.boxes.some(({ bbox: [bx, by, bw, bh] }) => x >= bx && y >= by && x < bx + bw && y < by + bh);
      // Every pixel an object changed lies in some box (no object drawn without a label) ...
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++)
          if (differs(x, y)) assert.ok(inSomeBox(x, y), `sample ${i}: unlabelled change at ${x},${y}`);
      // ... and each edge of each box touches a changed pixel (the box is not larger than the shape).
      for (const {
        bbox: [bx, by, bw, bh],
      } of sample.boxes) {
        const rows = (y: number) => Array.from({ length: bw }, (_, k) => differs(bx + k, y)).some(Boolean);
        const cols = (x: number) => Array.from({ length: bh }, (_, k) => differs(x, by + k)).some(Boolean);
        assert.ok(
          rows(by) && rows(by + bh - 1) && cols(bx) && cols(bx + bw - 1),
          `sample ${i}: box ${[bx, by, bw, bh]} not tight`,
        );
      }
    }
  });

  test('law: any seed/split/index/size renders valid boxes, deterministically', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
        fc.constantFrom('train' as const, 'heldout' as const),
        fc.nat({ max: 1e9 }),
        fc.integer({ min: 16, max: 96 }),
        (seed, split, index, size) => {
          const a = renderShapes(seed, split, index, { imageSize: size }).sample;
          checkBoxes(a, SHAPE_CLASSES.length);
          assert.ok(a.boxes.length <= 8);
          assert.deepEqual(renderShapes(seed, split, index, { imageSize: size }).sample, a);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('sizes span small, medium and large objects, spread evenly over octaves (log-uniform)', () => {
    const ds = createShapesDataset({ ...opts(0, 128), trainImages: 500 });
    const st = splitStats(ds, ds.split('train'));
    assert.ok(st.fractions.small > 0.4, `small ${st.fractions.small}`);
    assert.ok(st.fractions.medium > 0.1, `medium ${st.fractions.medium}`);
    assert.ok(st.fractions.large > 0.01, `large ${st.fractions.large}`);
    assert.ok(st.minSide <= 4 && st.maxSide >= 100, `sides ${st.minSide}..${st.maxSide}`);
    assert.ok(st.objectsPerImage > 2.5 && st.objectsPerImage < 6, `objects/image ${st.objectsPerImage}`);
    for (const [name, n] of Object.entries(st.perCategory))
      assert.ok(n / st.objects > 0.1, `class ${name}: ${n}/${st.objects}`);
    // Octave histogram of the box side: log-uniform sizes give similar counts per octave.
    const octaves = [0, 0, 0, 0];
    for (let i = 0; i < 500; i += 2) {
      for (const b of ds.split('train').get(i).boxes) {
        const o = Math.floor(Math.log2(Math.max(b.bbox[2], b.bbox[3]) / 4));
        if (o >= 0 && o < 4) octaves[o]++;
      }
    }
    const [lo, hi] = [Math.min(...octaves), Math.max(...octaves)];
    assert.ok(hi / lo < 2, `octave counts ${octaves}`);
  });

  test('layout overrides change the objects; bad ones are refused by name', async () => {
    const ds = await loadDataset({ ...opts(5, 64), layout: { minObjects: 1, maxObjects: 1, minSize: 20 } });
    for (let i = 0; i < 30; i++) {
      const boxes = ds.split('train').get(i).boxes;
      assert.ok(boxes.length <= 1);
      for (const b of boxes) assert.ok(Math.max(b.bbox[2], b.bbox[3]) >= 10, `box ${b.bbox}`); // ≥ 20 px extent, ≥ half visible
    }
    await assert.rejects(loadDataset({ ...opts(0), layout: { maxObjects: 0 } }), /layout\.maxObjects/);
    await assert.rejects(loadDataset({ ...opts(0), layout: { colour: 1 } as object }), /layout\.colour is unknown/);
  });

  test('bad options are refused with the option name', async () => {
    await assert.rejects(
      loadDataset({ ...opts(0), imageSize: 3 }),
      (e: unknown) => e instanceof DatasetError && /imageSize/.test(e.message),
    );
    await assert.rejects(loadDataset({ ...opts(0), trainImages: 1.5 }), /trainImages/);
    await assert.rejects(loadDataset({ ...opts(0), seed: Number.NaN }), /seed/);
    await assert.rejects(loadDataset({ ...opts(0), dataset: 'mnist' as 'shapes' }), /unknown dataset "mnist"/);
  });
});
