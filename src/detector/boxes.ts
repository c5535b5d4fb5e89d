// Box arithmetic shared by target assignment and decoding (plain JS over typed arrays, outside the tape).

/** IoU of two x1,y1,x2,y2 boxes given as array + offset. */
export function iou(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  const ix = Math.min(a[ai + 2], b[bi + 2]) - Math.max(a[ai], b[bi]);
  const iy = Math.min(a[ai + 3], b[bi + 3]) - Math.max(a[ai + 1], b[bi + 1]);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const areaA = (a[ai + 2] - a[ai]) * (a[ai + 3] - a[ai + 1]);
  const areaB = (b[bi + 2] - b[bi]) * (b[bi + 3] - b[bi + 1]);
  return inter / (areaA + areaB - inter);
}

/** Deltas are (dx, dy, dw, dh) relative to the anchor, RetinaNet's unit weights. */
export const MAX_LOG_SCALE = Math.log(1000 / 16);

export function encodeBox(
  anchor: ArrayLike<number>,
  ai: number,
  box: ArrayLike<number>,
  bi: number,
  out: Float32Array,
  oi: number,
): void {
  const aw = anchor[ai + 2] - anchor[ai];
  const ah = anchor[ai + 3] - anchor[ai + 1];
  const ax = anchor[ai] + aw / 2;
  const ay = anchor[ai + 1] + ah / 2;
  const bw = Math.max(box[bi + 2] - box[bi], 1e-3);
  const bh = Math.max(box[bi + 3] - box[bi + 1], 1e-3);
  out[oi] = (box[bi] + bw / 2 - ax) / aw;
  out[oi + 1] = (box[bi + 1] + bh / 2 - ay) / ah;
  out[oi + 2] = Math.log(bw / aw);
  out[oi + 3] = Math.log(bh / ah);
}

/** Inverse of encodeBox, writing x1,y1,x2,y2 clipped to [0, size]. */
export function decodeBox(
  anchor: ArrayLike<number>,
  ai: number,
  d: ArrayLike<number>,
  di: number,
  size: number,
  out: Float32Array,
  oi: number,
): void {
  const aw = anchor[ai + 2] - anchor[ai];
  const ah = anchor[ai + 3] - anchor[ai + 1];
  const cx = anchor[ai] + aw / 2 + d[di] * aw;
  const cy = anchor[ai + 1] + ah / 2 + d[di + 1] * ah;
  const w = aw * Math.exp(Math.min(d[di + 2], MAX_LOG_SCALE));
  const h = ah * Math.exp(Math.min(d[di + 3], MAX_LOG_SCALE));
  out[oi] = Math.min(Math.max(cx - w / 2, 0), size);
  out[oi + 1] = Math.min(Math.max(cy - h / 2, 0), size);
  out[oi + 2] = Math.min(Math.max(cx + w / 2, 0), size);
  out[oi + 3] = Math.min(Math.max(cy + h / 2, 0), size);
}
