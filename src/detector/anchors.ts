// Anchors: per output level l (stride 2^l, side ceil(S/2^l)), per cell, `scales` sizes a·2^l·2^(i/scales)
// (a = `sizePerStride`, RetinaNet's 4 by default)
// × 3 aspect ratios. Stored as x1,y1,x2,y2 in (level, y, x, scale, ratio) order — the head's order.
import { levelSize } from './resample.js';

export const ASPECT_RATIOS = [0.5, 1, 2] as const;
export const ANCHOR_SIZE_PER_STRIDE = 4;

export interface AnchorSet {
  count: number;
  perLocation: number;
  /** x1, y1, x2, y2 per anchor. */
  boxes: Float32Array;
}

export function makeAnchors(
  inputSize: number,
  minLevel: number,
  maxLevel: number,
  scales: number,
  sizePerStride = ANCHOR_SIZE_PER_STRIDE,
): AnchorSet {
  const perLocation = scales * ASPECT_RATIOS.length;
  let count = 0;
  for (let l = minLevel; l <= maxLevel; l++) count += levelSize(inputSize, l) ** 2 * perLocation;
  const boxes = new Float32Array(count * 4);
  let k = 0;
  for (let l = minLevel; l <= maxLevel; l++) {
    const stride = 2 ** l;
    const s = levelSize(inputSize, l);
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s; x++) {
        const cx = (x + 0.5) * stride;
        const cy = (y + 0.5) * stride;
        for (let i = 0; i < scales; i++) {
          const size = sizePerStride * stride * 2 ** (i / scales);
          for (const r of ASPECT_RATIOS) {
            // ratio = h / w at constant area.
            const w = size / Math.sqrt(r);
            const h = size * Math.sqrt(r);
            boxes[k++] = cx - w / 2;
            boxes[k++] = cy - h / 2;
            boxes[k++] = cx + w / 2;
            boxes[k++] = cy + h / 2;
          }
        }
      }
  }
  return { count, perLocation, boxes };
}
