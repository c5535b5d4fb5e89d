// Noisy textured backgrounds and distractor clutter shared by the procedural datasets (`shapes`,
// `fashion-mnist-scenes`). Clutter is deliberately unlike any object class (thin lines and open arcs), so a
// detector has to learn shape, not "anything that differs from the background".
import { type Canvas, clampByte, plot, type Rgb } from './canvas.js';
import type { Rng } from './rng.js';

export interface BackgroundInfo {
  /** The two colours the texture interpolates between; objects pick colours far from both. */
  colours: [Rgb, Rgb];
}

// One period of a smooth wave as a lookup table (phase in 1/256 turns): avoids Math.sin per pixel.
const WAVE = new Float32Array(256).map((_, i) => 0.5 + 0.5 * Math.sin((2 * Math.PI * i) / 256));

/** Fill `t` (one weight in [0, 1] per pixel, row-major) with a random texture: each kind its own tight loop. */
function fillPattern(rng: Rng, t: Float32Array, width: number, height: number): void {
  const size = Math.max(width, height);
  const angle = rng.uniform(0, Math.PI);
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  let i = 0;
  switch (rng.int(4)) {
    case 0: {
      // linear gradient across the image
      const inv = 1 / (size * (Math.abs(ca) + Math.abs(sa)));
      const off = (ca < 0 ? -ca * size : 0) + (sa < 0 ? -sa * size : 0);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) t[i++] = (x * ca + y * sa + off) * inv;
      return;
    }
    case 1: {
      // smooth stripes, period 3 px .. half the image
      const f = 256 / rng.logUniform(3, size / 2);
      const fx = ca * f;
      const fy = sa * f;
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) t[i++] = WAVE[(x * fx + y * fy) & 255];
      return;
    }
    case 2: {
      // checkerboard tiles
      const cell = rng.logUniform(4, size / 3);
      for (let y = 0; y < height; y++) {
        const cy = Math.floor(y / cell);
        for (let x = 0; x < width; x++) t[i++] = (Math.floor(x / cell) + cy) & 1;
      }
      return;
    }
    default: {
      // "plasma": product of two crossing waves of different periods
      const f1 = 256 / rng.logUniform(size / 6, size);
      const f2 = 256 / rng.logUniform(size / 6, size);
      const p1 = rng.int(256);
      const p2 = rng.int(256);
      for (let y = 0; y < height; y++) {
        const wy = WAVE[(y * f2 + p2) & 255];
        for (let x = 0; x < width; x++) t[i++] = WAVE[(x * f1 + p1) & 255] * wy;
      }
    }
  }
}

/** Fill the canvas with a random texture between two nearby colours, plus per-pixel noise and speckle. */
export function paintBackground(canvas: Canvas, rng: Rng): BackgroundInfo {
  const { width, height } = canvas;
  // A clamped view: assignment rounds and clamps to 0..255 natively (much faster than doing it by hand).
  const pixels = new Uint8ClampedArray(canvas.pixels.buffer, canvas.pixels.byteOffset, canvas.pixels.length);
  const c1: Rgb = [rng.int(256), rng.int(256), rng.int(256)];
  // Texture contrast is bounded so that objects can still be made to stand out from the whole background.
  const c2: Rgb = c1.map((v) => clampByte(v + rng.uniform(-70, 70))) as Rgb;
  const t = new Float32Array(width * height);
  fillPattern(rng, t, width, height);
  const noise = rng.uniform(3, 18);
  const k = (2 * noise) / 255;
  // Salt-and-pepper speckle on half of the images: a pixel is speckled when the top byte of its noise
  // word is below `speckle` (0..7 of 256, i.e. up to ~3% of pixels).
  const speckle = rng.next() < 0.5 ? rng.int(8) : 0;
  const [r0, g0, b0] = c1;
  const d0 = c2[0] - r0;
  const d1 = c2[1] - g0;
  const d2 = c2[2] - b0;
  const n = width * height;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const w = t[i];
    const r = rng.nextUint32();
    if (r >>> 24 < speckle) {
      const g = r & 255; // an isolated grey pixel
      pixels[o] = g;
      pixels[o + 1] = g;
      pixels[o + 2] = g;
      continue;
    }
    pixels[o] = r0 + d0 * w + ((r & 255) * k - noise);
    pixels[o + 1] = g0 + d1 * w + (((r >>> 8) & 255) * k - noise);
    pixels[o + 2] = b0 + d2 * w + (((r >>> 16) & 255) * k - noise);
  }
  return { colours: [c1, c2] };
}

/** Thin straight lines and open circular arcs: structure that is not an object. */
export function paintClutter(canvas: Canvas, rng: Rng, count: number): void {
  const size = Math.max(canvas.width, canvas.height);
  for (let i = 0; i < count; i++) {
    const colour: Rgb = [rng.int(256), rng.int(256), rng.int(256)];
    if (rng.next() < 0.6) {
      const x0 = rng.uniform(0, canvas.width);
      const y0 = rng.uniform(0, canvas.height);
      const len = rng.uniform(0.1, 0.6) * size;
      const a = rng.uniform(0, 2 * Math.PI);
      const steps = Math.ceil(len);
      for (let s = 0; s <= steps; s++) {
        const t = (s / steps) * len;
        plot(canvas, Math.floor(x0 + t * Math.cos(a)), Math.floor(y0 + t * Math.sin(a)), colour, 0, rng);
      }
    } else {
      const cx = rng.uniform(0, canvas.width);
      const cy = rng.uniform(0, canvas.height);
      const r = rng.logUniform(3, size / 3);
      const a0 = rng.uniform(0, 2 * Math.PI);
      const span = rng.uniform(0.3, 1.2) * Math.PI; // never a closed ring
      const steps = Math.ceil(span * r * 1.5);
      for (let s = 0; s <= steps; s++) {
        const a = a0 + (s / steps) * span;
        plot(canvas, Math.floor(cx + r * Math.cos(a)), Math.floor(cy + r * Math.sin(a)), colour, 0, rng);
      }
    }
  }
}
