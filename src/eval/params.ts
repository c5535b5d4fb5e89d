// The fixed parameters of the reference COCO evaluator (pycocotools COCOeval, iouType 'bbox').
// Thresholds are computed exactly as numpy's linspace computes them (i·step + start, last = stop), so the
// floating-point values match bit for bit: e.g. the 9th IoU threshold is 0.8999999999999999, not 0.9,
// and an IoU of exactly 0.9 therefore counts as a match at that threshold, as it does in pycocotools.

/** numpy.linspace(start, stop, num) with endpoint=True, reproduced operation by operation. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const step = (stop - start) / div;
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** .50:.05:.95 — pycocotools: np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1). */
export const IOU_THRESHOLDS: Float64Array = linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
/** 101 recall points — np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1). */
export const RECALL_THRESHOLDS: Float64Array = linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1);
/** Sorted, as COCOeval.evaluate sorts them. Summaries use positions 0, 1, 2. */
export const MAX_DETS = [1, 10, 100] as const;

export type AreaLabel = 'all' | 'small' | 'medium' | 'large';
/** Inclusive at both ends: an area is outside when `area < lo || area > hi` (so 32² is small AND medium). */
export const AREA_RANGES: ReadonlyArray<{ label: AreaLabel; lo: number; hi: number }> = [
  { label: 'all', lo: 0 ** 2, hi: 1e5 ** 2 },
  { label: 'small', lo: 0 ** 2, hi: 32 ** 2 },
  { label: 'medium', lo: 32 ** 2, hi: 96 ** 2 },
  { label: 'large', lo: 96 ** 2, hi: 1e5 ** 2 },
];

/** The 12 summary statistics, in COCOeval.summarize() order. */
export const STAT_NAMES = [
  'AP',
  'AP50',
  'AP75',
  'APs',
  'APm',
  'APl',
  'AR1',
  'AR10',
  'AR100',
  'ARs',
  'ARm',
  'ARl',
] as const;
export type StatName = (typeof STAT_NAMES)[number];

/** How each statistic is read from the accumulated arrays (COCOeval.summarize's _summarize calls). */
export interface StatSpec {
  kind: 'precision' | 'recall';
  /** undefined = mean over all IoU thresholds. */
  iouThr?: number;
  area: AreaLabel;
  maxDets: number;
}

export const STAT_SPECS: Readonly<Record<StatName, StatSpec>> = {
  AP: { kind: 'precision', area: 'all', maxDets: 100 },
  AP50: { kind: 'precision', iouThr: 0.5, area: 'all', maxDets: MAX_DETS[2] },
  AP75: { kind: 'precision', iouThr: 0.75, area: 'all', maxDets: MAX_DETS[2] },
  APs: { kind: 'precision', area: 'small', maxDets: MAX_DETS[2] },
  APm: { kind: 'precision', area: 'medium', maxDets: MAX_DETS[2] },
  APl: { kind: 'precision', area: 'large', maxDets: MAX_DETS[2] },
  AR1: { kind: 'recall', area: 'all', maxDets: MAX_DETS[0] },
  AR10: { kind: 'recall', area: 'all', maxDets: MAX_DETS[1] },
  AR100: { kind: 'recall', area: 'all', maxDets: MAX_DETS[2] },
  ARs: { kind: 'recall', area: 'small', maxDets: MAX_DETS[2] },
  ARm: { kind: 'recall', area: 'medium', maxDets: MAX_DETS[2] },
  ARl: { kind: 'recall', area: 'large', maxDets: MAX_DETS[2] },
};
