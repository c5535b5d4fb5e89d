// fast-check arbitraries of small COCO evaluation problems, for property tests of the evaluator (and of
// anything that produces COCO results). Boxes live on a small integer grid so that overlaps, exact IoU
// ties, duplicate boxes and boundary areas are frequent; scores come from a short list so that ties are too.
import fc from 'fast-check';

import type { CocoDetection, CocoGroundTruth } from '../eval/schema.js';

export interface CocoCase {
  gt: CocoGroundTruth;
  dets: CocoDetection[];
}

export interface CocoCaseOptions {
  maxImages?: number;
  maxCategories?: number;
  maxGtPerImage?: number;
  maxDetsPerImage?: number;
  /** At least this many detections in all (with one image and one class: more than 100 per image). */
  minDetections?: number;
  /** true: every detection gets a different score (no ties anywhere). */
  distinctScores?: boolean;
}

type Box = [number, number, number, number];

const arbBox = (grid: number): fc.Arbitrary<Box> =>
  fc
    .tuple(
      fc.integer({ min: 0, max: grid }),
      fc.integer({ min: 0, max: grid }),
      fc.integer({ min: 1, max: grid }),
      fc.integer({ min: 1, max: grid }),
    )
    .map(([x, y, w, h]) => [x, y, w, h]);

export function arbCocoCase(o: CocoCaseOptions = {}): fc.Arbitrary<CocoCase> {
  const maxImages = o.maxImages ?? 4;
  const maxCats = o.maxCategories ?? 3;
  // Sizes up to 120 px cover all three area ranges, and 32 and 96 are reachable exactly.
  const grid = 120;
  return fc
    .record({
      imageIds: fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: maxImages }),
      catIds: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: maxCats }),
    })
    .chain(({ imageIds, catIds }) => {
      const anyImage = fc.constantFrom(...imageIds);
      const anyCat = fc.constantFrom(...catIds);
      const gtRow = fc.record({
        image_id: anyImage,
        category_id: anyCat,
        bbox: arbBox(grid),
        iscrowd: fc.constantFrom<0 | 1>(0, 0, 0, 0, 0, 1),
        // Mostly w·h, sometimes an independent area (COCO areas are polygon areas), sometimes a boundary.
        areaKind: fc.constantFrom('wh', 'wh', 'wh', 'other', 'boundary'),
        areaOther: fc.constantFrom(100, 1023, 1024, 1025, 5000, 9215, 9216, 9217, 20000),
      });
      const detRow = fc.record({
        image_id: anyImage,
        category_id: anyCat,
        // Either a fresh box or a jittered copy of a ground-truth box (chosen after generation).
        bbox: arbBox(grid),
        copyOf: fc.option(fc.nat(), { nil: undefined }),
        jitter: fc.tuple(
          fc.integer({ min: -3, max: 3 }),
          fc.integer({ min: -3, max: 3 }),
          fc.integer({ min: -3, max: 3 }),
        ),
        score: fc.constantFrom(0.1, 0.3, 0.5, 0.5, 0.7, 0.9, 1),
      });
      return fc.record({
        imageIds: fc.constant(imageIds),
        catIds: fc.constant(catIds),
        gts: fc.array(gtRow, { maxLength: (o.maxGtPerImage ?? 6) * imageIds.length }),
        dets: fc.array(detRow, {
          minLength: o.minDetections ?? 0,
          maxLength: Math.max(o.minDetections ?? 0, (o.maxDetsPerImage ?? 10) * imageIds.length),
        }),
        shuffleSeed: fc.integer(),
      });
    })
    .map(({ imageIds, catIds, gts, dets, shuffleSeed }) => {
      const annotations = gts.map((g, i) => ({
        id: i + 1,
        image_id: g.image_id,
        category_id: g.category_id,
        bbox: g.bbox,
        area:
          g.areaKind === 'wh'
            ? g.bbox[2] * g.bbox[3]
            : g.areaKind === 'boundary'
              ? g.bbox[2] % 2 === 0
                ? 1024
                : 9216
              : g.areaOther,
        iscrowd: g.iscrowd,
      }));
      const detections: CocoDetection[] = dets.map((d) => {
        let bbox: Box = d.bbox;
        if (d.copyOf !== undefined && annotations.length > 0) {
          const src = annotations[d.copyOf % annotations.length];
          const [x, y, w, h] = src.bbox;
          bbox = [x + d.jitter[0], y + d.jitter[1], Math.max(1, w + d.jitter[2]), Math.max(1, h + d.jitter[2])];
          return { image_id: src.image_id, category_id: src.category_id, bbox, score: d.score };
        }
        return { image_id: d.image_id, category_id: d.category_id, bbox, score: d.score };
      });
      if (o.distinctScores) {
        // A seeded permutation of 1..n / (n + 1): every score different, reproducible from the seed.
        let state = shuffleSeed >>> 0;
        const next = (): number => {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          return state;
        };
        const keys = detections.map((_, i) => ({ i, k: next() }));
        keys.sort((a, b) => a.k - b.k || a.i - b.i);
        keys.forEach(({ i }, rank) => (detections[i].score = (rank + 1) / (detections.length + 1)));
      }
      const gt: CocoGroundTruth = {
        images: imageIds.map((id) => ({ id })),
        categories: catIds.map((id) => ({ id, name: `c${id}` })),
        annotations,
      };
      return { gt, dets: detections };
    });
}
