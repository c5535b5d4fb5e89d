// Where objects go in a procedural scene: how many, how big (log-uniform, so every octave of scale is
// equally common — the property that makes a feature pyramid matter), and with limited overlap.
import type { Rng } from './rng.js';

export interface LayoutOptions {
  minObjects: number;
  maxObjects: number;
  /** Smallest object extent in pixels. */
  minSize: number;
  /** Largest object extent as a fraction of the image side. */
  maxSizeFraction: number;
  /** Largest allowed intersection of two extents, as a fraction of the smaller one's area. */
  maxOverlap: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  minObjects: 1,
  maxObjects: 8,
  minSize: 4,
  maxSizeFraction: 0.9,
  maxOverlap: 0.2,
};

/** An object's square extent (before the shape is rasterised): centre and side, in pixels. */
export interface Slot {
  cx: number;
  cy: number;
  size: number;
}

function clippedBox(s: Slot, side: number): [number, number, number, number] {
  const h = s.size / 2;
  return [Math.max(0, s.cx - h), Math.max(0, s.cy - h), Math.min(side, s.cx + h), Math.min(side, s.cy + h)];
}

function overlapOk(a: Slot, b: Slot, side: number, maxOverlap: number): boolean {
  const [ax0, ay0, ax1, ay1] = clippedBox(a, side);
  const [bx0, by0, bx1, by1] = clippedBox(b, side);
  const iw = Math.min(ax1, bx1) - Math.max(ax0, bx0);
  const ih = Math.min(ay1, by1) - Math.max(ay0, by0);
  if (iw <= 0 || ih <= 0) return true;
  const smaller = Math.min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0));
  return iw * ih <= maxOverlap * smaller;
}

/**
 * Random slots, largest first (so that smaller objects drawn later sit on top and stay visible).
 * A slot may stick out of the image by up to 30% of its side: objects cut by the border exist in real
 * data too. Slots that cannot be placed without too much overlap after a few tries are skipped.
 */
export function layoutSlots(rng: Rng, side: number, opts: LayoutOptions = DEFAULT_LAYOUT): Slot[] {
  const count = rng.intIn(opts.minObjects, opts.maxObjects);
  const maxSize = Math.max(opts.minSize, opts.maxSizeFraction * side);
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) sizes.push(rng.logUniform(opts.minSize, maxSize));
  sizes.sort((a, b) => b - a);
  const slots: Slot[] = [];
  for (const size of sizes) {
    // Centre at least 0.2·size inside (at most 30% of the extent cut off); big objects stay nearly whole,
    // otherwise the border would crop almost every large object down to a medium one.
    const margin = Math.min(side / 2, size * (size > side / 2 ? 0.45 : 0.2));
    for (let attempt = 0; attempt < 12; attempt++) {
      const cand: Slot = { cx: rng.uniform(margin, side - margin), cy: rng.uniform(margin, side - margin), size };
      if (slots.every((s) => overlapOk(s, cand, side, opts.maxOverlap))) {
        slots.push(cand);
        break;
      }
    }
  }
  return slots;
}
