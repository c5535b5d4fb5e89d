// The three splits of the procedural datasets are disjoint: no image of one split is an image of another
// (by content hash), every split's generator starts from its own state, and fashion-mnist-scenes never
// shows a train glyph outside the train split. For COCO folders, a split file's three lists are disjoint.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import fc from 'fast-check';

import { createFashionMnistScenes, type GlyphSet, glyphsOf } from '../../src/data/fashion-mnist-scenes.js';
import { createShapesDataset, type ProxyDataset, type SplitName } from '../../src/data/index.js';
import { SPLIT_STREAM } from '../../src/data/rng.js';
import { readSplitFile } from '../../src/data/split-file.js';
import { SPLIT_NAMES } from '../../src/data/types.js';

const LAYOUT = { minObjects: 1, maxObjects: 3, minSize: 4, maxSizeFraction: 0.9, maxOverlap: 0.2 };

function contentHash(ds: ProxyDataset, split: SplitName, i: number): string {
  const s = ds.split(split).get(i);
  return createHash('sha256').update(s.pixels).update(JSON.stringify(s.boxes)).digest('hex');
}

/** Every image of every split, keyed by content: a second owner of a key is a leak between splits. */
function assertDisjoint(ds: ProxyDataset): void {
  const owner = new Map<string, string>();
  for (const split of SPLIT_NAMES) {
    for (let i = 0; i < ds.split(split).count; i++) {
      const key = contentHash(ds, split, i);
      const other = owner.get(key);
      if (other && !other.startsWith(`${split}[`)) assert.fail(`${split}[${i}] is the same image as ${other}`);
      owner.set(key, `${split}[${i}]`);
    }
  }
}

test('the split streams are three distinct generator states for every dataset', () => {
  const streams = SPLIT_NAMES.map((s) => SPLIT_STREAM[s]);
  const fashion = streams.map((s) => s ^ 0x464d4e53);
  assert.equal(new Set([...streams, ...fashion]).size, 6);
});

test('law: shapes train, held-out and test images are pairwise distinct (content hash)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 }), fc.integer({ min: 16, max: 40 }), (seed, size) => {
      const ds = createShapesDataset({
        imageSize: size,
        trainImages: 12,
        heldoutImages: 12,
        testImages: 12,
        seed,
        layout: LAYOUT,
      });
      assertDisjoint(ds);
    }),
    { numRuns: 40 },
  );
});

test('law: a shapes test sample is the same image whatever the split sizes (prefix-stable)', () => {
  fc.assert(
    fc.property(fc.integer(), fc.nat({ max: 20 }), fc.nat({ max: 20 }), (seed, i, more) => {
      const make = (n: number) =>
        createShapesDataset({ imageSize: 24, trainImages: 1, heldoutImages: 1, testImages: n, seed, layout: LAYOUT });
      assert.equal(contentHash(make(i + 1), 'test', i), contentHash(make(i + 1 + more), 'test', i));
    }),
    { numRuns: 30 },
  );
});

/** n 4×4 glyphs whose pixels encode (tag, g), so each glyph's pixels are unique to it. */
function glyphSet(n: number, tag: number, label0: number): GlyphSet {
  const images = new Uint8Array(n * 16);
  for (let g = 0; g < n; g++) for (let k = 0; k < 16; k++) images[g * 16 + k] = 1 + ((tag * 97 + g * 31 + k) % 255);
  return { count: n, rows: 4, cols: 4, images, labels: Uint8Array.from({ length: n }, (_, g) => label0 + (g % 5)) };
}

test('law: fashion-mnist-scenes splits are distinct images; train labels 0–4 never reach held-out or test', () => {
  // Train glyphs carry labels 0–4 and t10k glyphs 5–9, so a box's category says which pool it came from.
  const sets = { train: glyphSet(9, 1, 0), heldout: glyphSet(7, 2, 5) };
  assert.equal(glyphsOf(sets, 'test'), sets.heldout);
  assert.equal(glyphsOf(sets, 'train'), sets.train);
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (seed) => {
      const ds = createFashionMnistScenes(sets, {
        imageSize: 32,
        trainImages: 10,
        heldoutImages: 10,
        testImages: 10,
        seed,
        layout: LAYOUT,
      });
      assertDisjoint(ds);
      for (const split of SPLIT_NAMES) {
        for (let i = 0; i < 10; i++) {
          for (const b of ds.split(split).get(i).boxes) {
            assert.equal(b.category < 5, split === 'train', `${split}[${i}] has category ${b.category}`);
          }
        }
      }
    }),
    { numRuns: 25 },
  );
});

test('law: a split file whose lists share an image id is refused, naming the list and index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-splitfile-'));
  try {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 1000 }), { minLength: 3, maxLength: 30 }),
        fc.constantFrom(...SPLIT_NAMES),
        fc.constantFrom(...SPLIT_NAMES),
        fc.nat(),
        (ids, from, to, pick) => {
          const third = Math.floor(ids.length / 3);
          const lists: Record<SplitName, number[]> = {
            train: ids.slice(0, third),
            heldout: ids.slice(third, 2 * third),
            test: ids.slice(2 * third),
          };
          const file = join(dir, 'pyramid-nas.split.json');
          // Disjoint lists load as given.
          writeFileSync(file, JSON.stringify({ format: 'pyramid-nas-split/1', ...lists }));
          const read = readSplitFile(file);
          for (const s of SPLIT_NAMES) assert.deepEqual(read[s], lists[s]);
          if (from === to || lists[from].length === 0) return;
          // One id of `from` copied into `to`: whichever list comes later in train, heldout, test is named.
          const id = lists[from][pick % lists[from].length];
          const dup = { ...lists, [to]: [...lists[to], id] };
          writeFileSync(file, JSON.stringify({ format: 'pyramid-nas-split/1', ...dup }));
          const later = SPLIT_NAMES.indexOf(to) > SPLIT_NAMES.indexOf(from) ? to : from;
          assert.throws(
            () => readSplitFile(file),
            new RegExp(`\\$\\.${later}\\[\\d+\\]: image id ${id} is also in (train|heldout|test)`),
          );
        },
      ),
      { numRuns: 60 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
