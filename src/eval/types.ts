// Public types of the COCO-style evaluator.
import type { StatName } from './params.js';

/** COCO box: [x, y, width, height] in pixels. */
export type BBox = readonly [number, number, number, number];

/** The 12 COCO summary statistics; -1 where nothing could be measured (as pycocotools reports). */
export type CocoStats = Record<StatName, number>;

export interface CategoryResult {
  /** COCO category id. */
  id: number;
  name: string;
  /** Ground-truth annotations of this category (crowd regions included). */
  numGt: number;
  /** Detections of this category that were evaluated (at most 100 per image are kept). */
  numDetections: number;
  /** The 12 statistics restricted to this category (AP is the usual "per-class AP"). */
  stats: CocoStats;
}

export interface EvalResult {
  stats: CocoStats;
  perCategory: CategoryResult[];
}

/**
 * The validated, flattened input of the core. Images and categories are dense indices; images must be
 * numbered in ascending COCO image-id order because that order breaks score ties across images.
 */
export interface EvalInput {
  numImages: number;
  categories: ReadonlyArray<{ id: number; name: string }>;
  gtImage: Int32Array;
  gtCategory: Int32Array;
  /** 4 numbers per annotation: x, y, w, h. */
  gtBox: Float64Array;
  /** The annotation's `area` field (pycocotools uses it, not w·h, for the area ranges). */
  gtArea: Float64Array;
  gtCrowd: Uint8Array;
  /**
   * 0 for an annotation whose COCO id is 0: pycocotools records a match as the matched annotation's id and
   * tests it for truthiness, so a detection matched to id 0 counts as a false positive. Reproduced for
   * fidelity; undefined means every annotation is matchable.
   */
  gtMatchable?: Uint8Array;
  dtImage: Int32Array;
  dtCategory: Int32Array;
  dtBox: Float64Array;
  dtScore: Float64Array;
}
