// The evaluator's core: validated flat arrays in, the 12 COCO statistics (overall and per category) out.
// Work is linear in the number of boxes: one grouping pass by (category, image), one matching per group,
// one sort per category. Both the COCO-JSON path and the trainer's in-memory path end here.
import { accumulate, type Accumulated, type Slots } from './accumulate.js';
import { groupByCategoryImage } from './group.js';
import { matchImageCategory, MatchScratch } from './match.js';
import { AREA_RANGES, MAX_DETS } from './params.js';
import { summarize } from './summarize.js';
import type { EvalInput, EvalResult } from './types.js';

const A = AREA_RANGES.length;
const MAX_DET = MAX_DETS[MAX_DETS.length - 1];

/** Sorts a group's detections by descending score, stably (ties keep file order), in place. */
function sortByScore(idx: Int32Array, score: Float64Array): void {
  if (idx.length <= 32) {
    for (let i = 1; i < idx.length; i++) {
      const v = idx[i];
      let j = i - 1;
      while (j >= 0 && score[idx[j]] < score[v]) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = v;
    }
    return;
  }
  // Index order breaks ties: idx arrives in file order, so this is the stable order.
  idx.sort((x, y) => score[y] - score[x] || x - y);
}

export function evaluateCore(input: EvalInput): { result: EvalResult; accumulated: Accumulated } {
  const K = input.categories.length;
  const I = input.numImages;
  const gtGroups = groupByCategoryImage(input.gtCategory, input.gtImage, K, I);
  const dtGroups = groupByCategoryImage(input.dtCategory, input.dtImage, K, I);

  const numDt = input.dtScore.length;
  const slotScore = new Float64Array(numDt);
  const slotRank = new Int32Array(numDt);
  const flags = new Uint32Array(numDt * A);
  const catStart = new Int32Array(K + 1);
  const npig = new Float64Array(K * A);
  const numGt = new Int32Array(K);
  const numDet = new Int32Array(K);
  const scratch = new MatchScratch();
  const empty = new Int32Array(0);

  // Merge-walk the two group lists, both ordered by (category, image).
  let gi = 0;
  let di = 0;
  let slot = 0;
  let catDone = 0;
  while (gi < gtGroups.count || di < dtGroups.count) {
    const gKey = gi < gtGroups.count ? gtGroups.category[gi] * I + gtGroups.image[gi] : Infinity;
    const dKey = di < dtGroups.count ? dtGroups.category[di] * I + dtGroups.image[di] : Infinity;
    const key = Math.min(gKey, dKey);
    const k = Math.floor(key / I);
    while (catDone <= k) catStart[catDone++] = slot;
    let gts: Int32Array = empty;
    let dets: Int32Array = empty;
    if (gKey === key) {
      gts = gtGroups.order.subarray(gtGroups.start[gi], gtGroups.start[gi + 1]);
      gi++;
    }
    if (dKey === key) {
      dets = dtGroups.order.slice(dtGroups.start[di], dtGroups.start[di + 1]);
      di++;
      sortByScore(dets, input.dtScore);
      if (dets.length > MAX_DET) dets = dets.subarray(0, MAX_DET);
    }
    numGt[k] += gts.length;
    numDet[k] += dets.length;
    for (let d = 0; d < dets.length; d++) {
      slotScore[slot + d] = input.dtScore[dets[d]];
      slotRank[slot + d] = d;
    }
    matchImageCategory(input, gts, dets, flags, slot, npig.subarray(k * A, k * A + A), scratch);
    slot += dets.length;
  }
  while (catDone <= K) catStart[catDone++] = slot;

  const slots: Slots = { score: slotScore, rank: slotRank, flags, catStart };
  const accumulated = accumulate(slots, npig, K);
  const perCategory = input.categories.map((c, k) => ({
    id: c.id,
    name: c.name,
    numGt: numGt[k],
    numDetections: numDet[k],
    stats: summarize(accumulated, k, k + 1),
  }));
  return { result: { stats: summarize(accumulated), perCategory }, accumulated };
}
