// Small builders for hand-written COCO cases (not a test file: no .test.ts suffix).
import assert from 'node:assert/strict';

import type { CocoDetection, CocoGroundTruthInput } from '../../src/eval/index.js';

type Box = [number, number, number, number];

/** Ground truth from compact rows [imageId, categoryId, box, extra?]; ids are 1, 2, ... in row order. */
export function makeGt(
  imageIds: number[],
  categoryIds: number[],
  rows: Array<[number, number, Box, { area?: number; iscrowd?: 0 | 1; id?: number }?]>,
): CocoGroundTruthInput {
  return {
    images: imageIds.map((id) => ({ id, width: 640, height: 480, file_name: `${id}.png` })),
    categories: categoryIds.map((id) => ({ id, name: `c${id}` })),
    annotations: rows.map(([image_id, category_id, bbox, extra], i) => ({
      id: extra?.id ?? i + 1,
      image_id,
      category_id,
      bbox,
      area: extra?.area ?? bbox[2] * bbox[3],
      iscrowd: extra?.iscrowd ?? 0,
    })),
  };
}

export function det(image_id: number, category_id: number, bbox: Box, score: number): CocoDetection {
  return { image_id, category_id, bbox, score };
}

/**
 * Equal within 1e-12. pycocotools computes precision as tp / (tp + fp + np.spacing(1)), so exact
 * fractions such as 1 come out one ulp low; the issue asks for agreement to 1e-9.
 */
export function near(actual: number, expected: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what} ${actual} != ${expected}`.trim());
}
