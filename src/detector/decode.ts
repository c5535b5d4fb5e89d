// Detections from raw head outputs: sigmoid scores ≥ .05, the best 1000 candidates per image, decoded
// boxes, per-class greedy NMS at IoU .5, then the top 100 per image. Plain JS over typed arrays.
import type { AnchorSet } from './anchors.js';
import { decodeBox, iou } from './boxes.js';

export const SCORE_THRESHOLD = 0.05;
export const PRE_NMS_TOP_K = 1000;
export const NMS_IOU = 0.5;
export const MAX_DETECTIONS = 100;

export interface Detection {
  /** COCO [x, y, w, h] in input pixels. */
  bbox: [number, number, number, number];
  /** 0-based category index. */
  category: number;
  score: number;
}

/**
 * `scores`: sigmoid probabilities [N, K] of one image; `deltas`: [N, 4]. `imageSize`: clip boxes to it.
 */
export function decodeDetections(
  scores: Float32Array,
  deltas: Float32Array,
  anchors: AnchorSet,
  numClasses: number,
  imageSize: number,
): Detection[] {
  const K = numClasses;
  const cand: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] >= SCORE_THRESHOLD) cand.push(i);
  cand.sort((x, y) => scores[y] - scores[x] || x - y);
  if (cand.length > PRE_NMS_TOP_K) cand.length = PRE_NMS_TOP_K;
  const boxes = new Float32Array(cand.length * 4);
  cand.forEach((flat, c) =>
    decodeBox(anchors.boxes, Math.floor(flat / K) * 4, deltas, Math.floor(flat / K) * 4, imageSize, boxes, c * 4),
  );
  // Greedy NMS per class; candidates are already sorted by score.
  const kept: number[] = [];
  const keptByClass = new Map<number, number[]>();
  for (let c = 0; c < cand.length; c++) {
    const k = cand[c] % K;
    if (boxes[c * 4 + 2] - boxes[c * 4] <= 0 || boxes[c * 4 + 3] - boxes[c * 4 + 1] <= 0) continue;
    const same = keptByClass.get(k) ?? [];
    if (same.some((o) => iou(boxes, o * 4, boxes, c * 4) > NMS_IOU)) continue;
    same.push(c);
    keptByClass.set(k, same);
    kept.push(c);
    if (kept.length === MAX_DETECTIONS) break;
  }
  return kept.map((c) => {
    const [x1, y1, x2, y2] = boxes.subarray(c * 4, c * 4 + 4);
    return { bbox: [x1, y1, x2 - x1, y2 - y1], category: cand[c] % K, score: scores[cand[c]] };
  });
}
