// Laws of the COCO evaluator over generated problems (fast-check prints the seed on failure).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import { type EvalResult, evaluateCoco, evaluateDetections, STAT_NAMES } from '../../src/eval/index.js';
import { arbCocoCase, type CocoCase } from '../../src/testing/coco-arbitraries.js';
import { locateJsonError } from '../../src/util/json-text.js';
import { referenceCocoEval } from './eval-reference-impl.js';

const RUNS = { numRuns: 1000 };

/** Deterministic Fisher–Yates from fast-check's random source, keeping the seed reproducible. */
const arbPermutation = (n: number) =>
  fc.array(fc.nat(), { minLength: n, maxLength: n }).map((keys) =>
    keys
      .map((k, i) => ({ k, i }))
      .sort((a, b) => a.k - b.k || a.i - b.i)
      .map((x) => x.i),
  );

function sameResult(a: EvalResult, b: EvalResult): void {
  assert.deepEqual(a.stats, b.stats);
  assert.deepEqual(a.perCategory, b.perCategory);
}

test('agrees to 1e-9 with a literal re-statement of pycocotools (ties, crowds, boundaries, >100 per image)', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        { arbitrary: arbCocoCase(), weight: 4 },
        {
          arbitrary: arbCocoCase({ maxImages: 1, maxCategories: 1, minDetections: 101, maxDetsPerImage: 130 }),
          weight: 1,
        },
      ),
      ({ gt, dets }) => {
        const ours = evaluateCoco(gt, dets).stats;
        const ref = referenceCocoEval(gt, dets);
        STAT_NAMES.forEach((name, i) =>
          assert.ok(Math.abs(ours[name] - ref[i]) <= 1e-9, `${name}: ${ours[name]} vs reference ${ref[i]}`),
        );
      },
    ),
    { numRuns: 300 }, // the reference is deliberately slow (string-keyed maps, nested arrays)
  );
});

test('every statistic is in [0, 1] or exactly -1', () => {
  fc.assert(
    fc.property(arbCocoCase(), ({ gt, dets }) => {
      const r = evaluateCoco(gt, dets);
      for (const s of [r.stats, ...r.perCategory.map((c) => c.stats)]) {
        for (const name of STAT_NAMES)
          assert.ok(s[name] === -1 || (s[name] >= 0 && s[name] <= 1), `${name} = ${s[name]}`);
      }
    }),
    RUNS,
  );
});

test('the order of images in the ground truth, and of images in the results file, changes nothing', () => {
  fc.assert(
    fc.property(
      arbCocoCase().chain((c) => fc.tuple(fc.constant(c), arbPermutation(c.gt.images.length))),
      ([c, perm]) => {
        const images = perm.map((i) => c.gt.images[i]);
        // Results regrouped image by image in the new order; each image keeps its own detections' order.
        const dets = images.flatMap((im) => c.dets.filter((d) => d.image_id === im.id));
        const anns = images.flatMap((im) => c.gt.annotations.filter((a) => a.image_id === im.id));
        sameResult(evaluateCoco({ ...c.gt, images, annotations: anns }, dets), evaluateCoco(c.gt, c.dets));
      },
    ),
    RUNS,
  );
});

test('permuting detections with distinct scores changes nothing', () => {
  fc.assert(
    fc.property(
      arbCocoCase({ distinctScores: true }).chain((c) => fc.tuple(fc.constant(c), arbPermutation(c.dets.length))),
      ([c, perm]) => {
        sameResult(
          evaluateCoco(
            c.gt,
            perm.map((i) => c.dets[i]),
          ),
          evaluateCoco(c.gt, c.dets),
        );
      },
    ),
    RUNS,
  );
});

// Greedy matching only ever grows the set of matched ground truth when a detection is inserted, so recall
// cannot fall — as long as nothing is pushed out of a per-image cut. That is why AR1/AR10 are not in this
// law (a new top detection can push a true positive out of the top 1 or 10) and why the generated images
// stay below 100 detections per class.
test('adding a perfect detection never lowers recall (images below 100 detections per class)', () => {
  const arb = arbCocoCase()
    .filter((c) => c.gt.annotations.length > 0)
    .chain((c) =>
      fc.tuple(
        fc.constant(c),
        fc.nat(c.gt.annotations.length - 1),
        fc.nat(c.dets.length),
        fc.constantFrom(0.05, 0.5, 0.9, 1),
      ),
    );
  fc.assert(
    fc.property(arb, ([c, which, at, score]: [CocoCase, number, number, number]) => {
      const g = c.gt.annotations[which];
      const dets = [...c.dets];
      dets.splice(at, 0, { image_id: g.image_id, category_id: g.category_id, bbox: [...g.bbox], score });
      const before = evaluateCoco(c.gt, c.dets).stats;
      const after = evaluateCoco(c.gt, dets).stats;
      for (const name of ['AR100', 'ARs', 'ARm', 'ARl'] as const) {
        assert.ok(after[name] >= before[name] - 1e-12, `${name} fell from ${before[name]} to ${after[name]}`);
      }
    }),
    RUNS,
  );
});

test('the in-memory API gives the same result as the COCO API on the same boxes', () => {
  fc.assert(
    fc.property(arbCocoCase(), ({ gt, dets }) => {
      // Images in ascending id order and categories by index: the in-memory API's conventions.
      const images = [...gt.images].sort((a, b) => a.id - b.id);
      const cats = [...gt.categories].sort((a, b) => a.id - b.id);
      const img = new Map(images.map((im, i) => [im.id, i]));
      const cat = new Map(cats.map((c, i) => [c.id, i]));
      const gtByImage = images.map(() => [] as Parameters<typeof evaluateDetections>[0][number][number][]);
      for (const a of gt.annotations)
        gtByImage[img.get(a.image_id)!].push({
          bbox: a.bbox,
          category: cat.get(a.category_id)!,
          area: a.area,
          iscrowd: a.iscrowd ? 1 : 0,
        });
      const detsByImage = images.map(() => [] as Parameters<typeof evaluateDetections>[1][number][number][]);
      for (const d of dets)
        detsByImage[img.get(d.image_id)!].push({ bbox: d.bbox, category: cat.get(d.category_id)!, score: d.score });
      const mem = evaluateDetections(
        gtByImage,
        detsByImage,
        cats.map((c) => ({ name: c.name, cocoId: c.id })),
      );
      sameResult(mem, evaluateCoco(gt, dets));
    }),
    RUNS,
  );
});

test('the JSON error locator accepts exactly what JSON.parse accepts', () => {
  const damaged = fc
    .tuple(fc.json(), fc.nat(), fc.constantFrom('delete', ',', '}', ']', '"', ':', 'x'))
    .map(([text, at, op]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      return op === 'delete' ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + op + text.slice(i);
    });
  fc.assert(
    fc.property(fc.oneof(fc.json(), damaged), (text) => {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      const problem = locateJsonError(text);
      assert.equal(problem === undefined, valid, `locator says ${JSON.stringify(problem)} for ${JSON.stringify(text)}`);
      if (problem) assert.ok(problem.offset >= 0 && problem.offset <= text.length);
    }),
    { numRuns: 2000 },
  );
});
