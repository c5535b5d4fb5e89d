// Box IoU exactly as pycocotools' C routine bbIou computes it: boxes are [x, y, w, h], no "+1" pixel
// convention, and for a crowd ground-truth region the union is the detection's own area (so a detection
// lying inside a crowd region has IoU 1 with it, however large the region).

export function bboxIou(
  dx: number,
  dy: number,
  dw: number,
  dh: number,
  gx: number,
  gy: number,
  gw: number,
  gh: number,
  crowd: boolean,
): number {
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const inter = w * h;
  const da = dw * dh;
  const union = crowd ? da : da + gw * gh - inter;
  return inter / union;
}
