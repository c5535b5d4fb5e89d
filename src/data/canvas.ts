// Raw RGB canvases (row-major HWC Uint8Array) and the few painting primitives the procedural datasets use.
// Hard-edged on purpose: a shape's box is the tight box of the pixels it set, with no anti-aliasing halo.
import type { Rng } from './rng.js';

export type Rgb = [number, number, number];

export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

export function createCanvas(width: number, height: number): Canvas {
  return { width, height, pixels: new Uint8Array(width * height * 3) };
}

export function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** L1 distance between two colours (0..765). */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
}

/**
 * A random colour at least `minDistance` (L1) from every colour in `avoid`, so objects stand out from the
 * background they sit on. Falls back to the candidate farthest from them after a few tries.
 */
export function contrastingColour(rng: Rng, avoid: readonly Rgb[], minDistance: number): Rgb {
  let best: Rgb = [0, 0, 0];
  let bestScore = -1;
  for (let attempt = 0; attempt < 24; attempt++) {
    const c: Rgb = [rng.int(256), rng.int(256), rng.int(256)];
    let score = Infinity;
    for (const a of avoid) score = Math.min(score, colourDistance(c, a));
    if (score >= minDistance) return c;
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

/** Set one pixel (clipped) to `colour` plus uniform per-channel noise of amplitude `noise`. */
export function plot(canvas: Canvas, x: number, y: number, colour: Rgb, noise: number, rng: Rng): void {
  if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) return;
  const o = (y * canvas.width + x) * 3;
  const p = canvas.pixels;
  if (noise === 0) {
    p[o] = colour[0];
    p[o + 1] = colour[1];
    p[o + 2] = colour[2];
    return;
  }
  const r = rng.nextUint32();
  const k = (2 * noise) / 255;
  p[o] = clampByte(colour[0] + ((r & 255) * k - noise));
  p[o + 1] = clampByte(colour[1] + (((r >>> 8) & 255) * k - noise));
  p[o + 2] = clampByte(colour[2] + (((r >>> 16) & 255) * k - noise));
}
