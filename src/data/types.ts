// The contract between proxy datasets (src/data/) and their consumers (trainer, evaluator, COCO export).
import type { LayoutOptions } from './layout.js';

/** One object: COCO-style box [x, y, w, h] in pixels of the sample's image. */
export interface BoxAnnotation {
  bbox: [number, number, number, number];
  /** 0-based index into ProxyDataset.categories. */
  category: number;
  /** COCO `area` (for built-in datasets: w·h). Used for AP_S/M/L. */
  area: number;
  iscrowd?: 0 | 1;
}

export interface DetectionSample {
  /** Stable within a split; the COCO image id is id + 1. */
  id: number;
  width: number;
  height: number;
  /** RGB, row-major HWC, 8-bit (so a PNG round trip is lossless); the trainer scales to [0, 1]. */
  pixels: Uint8Array;
  boxes: BoxAnnotation[];
}

export interface DatasetSplit {
  readonly count: number;
  /** Deterministic: the same index always gives the same sample. */
  get(index: number): DetectionSample;
}

/**
 * `train` is what a trial trains on, `heldout` what it is scored on (and the search selects by); `test` is
 * read only by `pyramid-nas evaluate`, so a final comparison is made on images no selection ever saw.
 */
export type SplitName = 'train' | 'heldout' | 'test';

export const SPLIT_NAMES: readonly SplitName[] = ['train', 'heldout', 'test'];

export interface ProxyDataset {
  readonly name: string;
  /** COCO category ids are index + 1 unless the source dataset says otherwise (`cocoId`). */
  readonly categories: ReadonlyArray<{ name: string; cocoId: number }>;
  readonly imageSize: number;
  split(name: SplitName): DatasetSplit;
}

export interface DatasetOptions {
  /** A name in the dataset registry: a built-in, or one registered with datasets.register. */
  dataset: 'shapes' | 'fashion-mnist-scenes' | 'coco' | (string & {});
  dataDir?: string;
  imageSize: number;
  trainImages: number;
  heldoutImages: number;
  /** Size of the test split; absent: 0 (campaigns never open it; `evaluate` asks for it). */
  testImages?: number;
  seed: number;
  /** coco only: a `pyramid-nas.split.json` to use instead of DIR/pyramid-nas.split.json (see README § data). */
  splitFile?: string;
  /** coco only: bound on decoded pixels kept in memory (default 1 GiB). */
  cacheBytes?: number;
  /** shapes / fashion-mnist-scenes only: object count, size range and overlap (defaults: DEFAULT_LAYOUT). */
  layout?: Partial<LayoutOptions>;
}
