// Anchor targets, computed OUTSIDE the gradient tape in plain JS (tfjs has no gradient through
// comparisons/GatherNd), and handed to the loss as dense masks. RetinaNet's rule: IoU ≥ .5 positive,
// < .4 negative, in between ignored; in addition each box's best anchor is positive (as Detectron's
// low-quality matches), so objects smaller than every anchor still get a positive.
import type { BoxAnnotation } from '../data/types.js';
import type { AnchorSet } from './anchors.js';
import { encodeBox, iou } from './boxes.js';

export const POSITIVE_IOU = 0.5;
export const NEGATIVE_IOU = 0.4;

export interface BatchTargets {
  batch: number;
  anchors: number;
  numClasses: number;
  /** [B, N, K] one-hot class of positive anchors, 0 elsewhere. */
  cls: Float32Array;
  /** [B, N, 1] 1 for positive and negative anchors, 0 for ignored ones. */
  clsWeight: Float32Array;
  /** [B, N, 4] encoded box of positive anchors. */
  box: Float32Array;
  /** [B, N, 1] 1 for positive anchors. */
  positive: Float32Array;
  numPositive: number;
}

export function assignTargets(
  images: ReadonlyArray<ReadonlyArray<BoxAnnotation>>,
  anchors: AnchorSet,
  numClasses: number,
): BatchTargets {
  const B = images.length;
  const N = anchors.count;
  const K = numClasses;
  const t: BatchTargets = {
    batch: B,
    anchors: N,
    numClasses: K,
    cls: new Float32Array(B * N * K),
    clsWeight: new Float32Array(B * N),
    box: new Float32Array(B * N * 4),
    positive: new Float32Array(B * N),
    numPositive: 0,
  };
  const a = anchors.boxes;
  const bestIou = new Float32Array(N);
  const bestBox = new Int32Array(N);
  for (let b = 0; b < B; b++) {
    const all = images[b];
    const objects = all.filter((o) => !o.iscrowd && o.bbox[2] > 0 && o.bbox[3] > 0);
    const crowd = all.filter((o) => o.iscrowd);
    const gt = new Float32Array(objects.length * 4);
    objects.forEach((o, j) => {
      const [x, y, w, h] = o.bbox;
      gt.set([x, y, x + w, y + h], j * 4);
    });
    bestIou.fill(0);
    bestBox.fill(-1);
    // Float64, like the IoUs it is compared with for equality below (a float32 copy would rarely be equal).
    const bestForBox = new Float64Array(objects.length);
    // Every anchor × box IoU once: the low-quality pass below reads them again.
    const J = objects.length;
    const ious = new Float64Array(N * J);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < J; j++) {
        const v = iou(a, i * 4, gt, j * 4);
        ious[i * J + j] = v;
        if (v > bestIou[i]) {
          bestIou[i] = v;
          bestBox[i] = j;
        }
        if (v > bestForBox[j]) bestForBox[j] = v;
      }
    }
    // Low-quality matches: every anchor tying a box's best IoU becomes positive for that box.
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < objects.length; j++) {
        if (bestForBox[j] > 0 && ious[i * J + j] === bestForBox[j] && bestIou[i] < POSITIVE_IOU) {
          bestIou[i] = POSITIVE_IOU;
          bestBox[i] = j;
        }
      }
    }
    const crowdBoxes = crowd.map((o) => [o.bbox[0], o.bbox[1], o.bbox[0] + o.bbox[2], o.bbox[1] + o.bbox[3]]);
    for (let i = 0; i < N; i++) {
      const row = b * N + i;
      if (bestIou[i] >= POSITIVE_IOU) {
        const j = bestBox[i];
        t.cls[row * K + objects[j].category] = 1;
        t.clsWeight[row] = 1;
        t.positive[row] = 1;
        encodeBox(a, i * 4, gt, j * 4, t.box, row * 4);
        t.numPositive++;
      } else if (bestIou[i] < NEGATIVE_IOU && !crowdBoxes.some((c) => iou(a, i * 4, c, 0) >= NEGATIVE_IOU)) {
        t.clsWeight[row] = 1;
      }
    }
  }
  return t;
}
