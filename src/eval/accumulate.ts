// COCOeval.accumulate: per category, area range and maxDets, the detections of all images are ordered by
// descending score with a stable sort over their concatenation (images in ascending id order, each image's
// detections in its own score order) — pycocotools' np.argsort(-scores, kind='mergesort'). Cumulative
// TP/FP give recall and precision at every detection (ignored ones included: they repeat the previous
// values), precision is made non-increasing from the right, then read at the 101 recall thresholds with
// searchsorted(side='left'); thresholds beyond the last recall reached stay 0. A (category, area) with no
// non-ignored ground truth keeps -1 everywhere, which the summaries skip.
import { FP_SHIFT } from './match.js';
import { AREA_RANGES, IOU_THRESHOLDS, MAX_DETS, RECALL_THRESHOLDS } from './params.js';

const T = IOU_THRESHOLDS.length;
const R = RECALL_THRESHOLDS.length;
const A = AREA_RANGES.length;
const M = MAX_DETS.length;
/** np.spacing(1), added to the precision denominator exactly as pycocotools does. */
const EPS = 2.220446049250313e-16;

/** Detection slots: the detections kept after the per-image cut, grouped by category. */
export interface Slots {
  score: Float64Array;
  /** Position within its (image, category) after the stable score sort: 0 = best. */
  rank: Int32Array;
  /** flags[slot * A + a]: bit t = true positive at IoU threshold t, bit 16 + t = false positive. */
  flags: Uint32Array;
  /** Category k owns slots catStart[k] .. catStart[k + 1], ordered by (image, rank). */
  catStart: Int32Array;
}

export interface Accumulated {
  numCategories: number;
  /** Index ((((t·R + r)·K + k)·A + a)·M + m), numpy's [T, R, K, A, M] layout; -1 = not measured. */
  precision: Float64Array;
  /** Index (((t·K + k)·A + a)·M + m); -1 = not measured. */
  recall: Float64Array;
}

export function accumulate(slots: Slots, npig: Float64Array, K: number): Accumulated {
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const { score, rank, flags, catStart } = slots;
  let rc = new Float64Array(0);
  let pr = new Float64Array(0);
  for (let k = 0; k < K; k++) {
    const from = catStart[k];
    const n = catStart[k + 1] - from;
    // Ties are broken by slot number, i.e. by (image id, rank): the order a stable sort would keep.
    const sorted = new Int32Array(n);
    for (let i = 0; i < n; i++) sorted[i] = from + i;
    sorted.sort((x, y) => score[y] - score[x] || x - y);
    if (rc.length < n) {
      rc = new Float64Array(n);
      pr = new Float64Array(n);
    }
    const seq = new Int32Array(n);
    for (let m = 0; m < M; m++) {
      // The first maxDet detections of each image keep their relative order in the global sort.
      let nd = 0;
      for (let i = 0; i < n; i++) if (rank[sorted[i]] < MAX_DETS[m]) seq[nd++] = sorted[i];
      for (let a = 0; a < A; a++) {
        const gtCount = npig[k * A + a];
        if (gtCount === 0) continue;
        for (let t = 0; t < T; t++) {
          const tpBit = 1 << t;
          const fpBit = 1 << (FP_SHIFT + t);
          let tp = 0;
          let fp = 0;
          for (let i = 0; i < nd; i++) {
            const f = flags[seq[i] * A + a];
            if (f & tpBit) tp++;
            else if (f & fpBit) fp++;
            rc[i] = tp / gtCount;
            pr[i] = tp / (fp + tp + EPS);
          }
          recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1] : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
          let p = 0;
          for (let r = 0; r < R; r++) {
            const thr = RECALL_THRESHOLDS[r];
            while (p < nd && rc[p] < thr) p++;
            precision[(((t * R + r) * K + k) * A + a) * M + m] = p < nd ? pr[p] : 0;
          }
        }
      }
    }
  }
  return { numCategories: K, precision, recall };
}
