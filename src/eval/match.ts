// Per (image, category) evaluation: pycocotools' COCOeval.evaluateImg for every area range and IoU
// threshold at once, writing one bit per threshold for "true positive" and one for "false positive"
// (a detection with neither bit is ignored). The greedy rules are pycocotools' own:
//  - ground truth is visited with non-ignored boxes first (stable), detections by descending score;
//  - a matched non-crowd box is skipped; a crowd box can absorb any number of detections;
//  - once a detection holds a non-ignored match, reaching the ignored boxes stops the search;
//  - a later box with IoU >= the best so far replaces it (the test is `iou < best → skip`);
//  - the starting bar is min(threshold, 1 - 1e-10);
//  - a detection matched to an ignored box is ignored; an unmatched one outside the area range too.
import { bboxIou } from './iou.js';
import { AREA_RANGES, IOU_THRESHOLDS } from './params.js';
import type { EvalInput } from './types.js';

export const FP_SHIFT = 16;
const T = IOU_THRESHOLDS.length;
const A = AREA_RANGES.length;
const BARS = Float64Array.from(IOU_THRESHOLDS, (t) => Math.min(t, 1 - 1e-10));

/** Reusable buffers, grown on demand, so the hot loop allocates nothing. */
export class MatchScratch {
  ious = new Float64Array(1024);
  gtOrder = new Int32Array(64);
  gtIgnoreSorted = new Uint8Array(64);
  gtCrowdSorted = new Uint8Array(64);
  gtTaken = new Uint8Array(64);
  ensure(nd: number, ng: number): void {
    if (this.ious.length < nd * ng) this.ious = new Float64Array(nd * ng * 2);
    if (this.gtOrder.length < ng) {
      this.gtOrder = new Int32Array(ng * 2);
      this.gtIgnoreSorted = new Uint8Array(ng * 2);
      this.gtCrowdSorted = new Uint8Array(ng * 2);
      this.gtTaken = new Uint8Array(ng * 2);
    }
  }
}

/**
 * @param gts      ground-truth indices of this (image, category), in file order
 * @param dets     detection indices, already sorted by score (stable) and cut to maxDets[-1]
 * @param flags    out: flags[slot * A + a] for slot = firstSlot + position in `dets`
 * @param npig     out: npig[a] += number of non-ignored ground-truth boxes for area range a
 */
export function matchImageCategory(
  input: EvalInput,
  gts: ArrayLike<number>,
  dets: ArrayLike<number>,
  flags: Uint32Array,
  firstSlot: number,
  npig: Float64Array,
  scratch: MatchScratch,
): void {
  const G = gts.length;
  const D = dets.length;
  scratch.ensure(D, G);
  const { gtBox, dtBox, gtArea, gtCrowd, gtMatchable } = input;
  const ious = scratch.ious;
  // IoU matrix in the ground truth's file order; each area range only permutes its columns.
  for (let d = 0; d < D; d++) {
    const db = dets[d] * 4;
    const dx = dtBox[db],
      dy = dtBox[db + 1],
      dw = dtBox[db + 2],
      dh = dtBox[db + 3];
    for (let g = 0; g < G; g++) {
      const gb = gts[g] * 4;
      ious[d * G + g] = bboxIou(
        dx,
        dy,
        dw,
        dh,
        gtBox[gb],
        gtBox[gb + 1],
        gtBox[gb + 2],
        gtBox[gb + 3],
        gtCrowd[gts[g]] === 1,
      );
    }
  }
  const { gtOrder, gtIgnoreSorted, gtCrowdSorted, gtTaken } = scratch;
  for (let a = 0; a < A; a++) {
    const { lo, hi } = AREA_RANGES[a];
    // Stable partition: non-ignored first (np.argsort(_ignore, kind='mergesort')).
    let k = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let g = 0; g < G; g++) {
        const gi = gts[g];
        const area = gtArea[gi];
        const ignored = gtCrowd[gi] === 1 || area < lo || area > hi ? 1 : 0;
        if (ignored !== pass) continue;
        gtOrder[k] = g;
        gtIgnoreSorted[k] = ignored;
        gtCrowdSorted[k] = gtCrowd[gi];
        k++;
      }
    }
    for (let j = 0; j < G; j++) if (gtIgnoreSorted[j] === 0) npig[a]++;
    for (let d = 0; d < D; d++) flags[(firstSlot + d) * A + a] = 0;
    for (let t = 0; t < T; t++) {
      gtTaken.fill(0, 0, G);
      for (let d = 0; d < D; d++) {
        let best = BARS[t];
        let m = -1;
        const row = d * G;
        for (let j = 0; j < G; j++) {
          if (gtTaken[j] === 1 && gtCrowdSorted[j] === 0) continue;
          if (m > -1 && gtIgnoreSorted[m] === 0 && gtIgnoreSorted[j] === 1) break;
          const v = ious[row + gtOrder[j]];
          if (v < best) continue;
          best = v;
          m = j;
        }
        let matched = false;
        let ignored = false;
        if (m > -1) {
          gtTaken[m] = 1;
          ignored = gtIgnoreSorted[m] === 1;
          matched = gtMatchable === undefined || gtMatchable[gts[gtOrder[m]]] === 1;
        }
        if (!matched && !ignored) {
          const db = dets[d] * 4;
          const area = dtBox[db + 2] * dtBox[db + 3];
          ignored = area < lo || area > hi;
        }
        if (!ignored) flags[(firstSlot + d) * A + a] |= 1 << (matched ? t : FP_SHIFT + t);
      }
    }
  }
}
