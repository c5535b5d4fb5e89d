// A contact sheet of samples with their boxes drawn: for looking at a dataset (README picture,
// `pyramid-nas dataset preview`). Pure pixels; the caller encodes them.
import { type Canvas, createCanvas, type Rgb } from './canvas.js';
import type { DetectionSample } from './types.js';

// Distinct outline colours per category (cycled).
const PALETTE: Rgb[] = [
  [255, 255, 255],
  [255, 40, 40],
  [40, 255, 40],
  [60, 120, 255],
  [255, 230, 0],
  [255, 0, 255],
  [0, 255, 255],
  [255, 140, 0],
  [150, 80, 255],
  [0, 0, 0],
];

function outline(
  c: Canvas,
  ox: number,
  oy: number,
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  col: Rgb,
): void {
  const set = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    const o = ((oy + y) * c.width + ox + x) * 3;
    c.pixels[o] = col[0];
    c.pixels[o + 1] = col[1];
    c.pixels[o + 2] = col[2];
  };
  // Drawn one pixel outside the box so the outline never hides the object's own edge pixels.
  for (let x = x0 - 1; x <= x1; x++) {
    set(x, y0 - 1);
    set(x, y1);
  }
  for (let y = y0 - 1; y <= y1; y++) {
    set(x0 - 1, y);
    set(x1, y);
  }
}

/** Lay samples out in a grid (`columns` wide, `gap` px between tiles) and outline every box. */
export function mosaic(samples: readonly DetectionSample[], columns: number, gap = 4): Canvas {
  const tileW = Math.max(...samples.map((s) => s.width));
  const tileH = Math.max(...samples.map((s) => s.height));
  const rows = Math.ceil(samples.length / columns);
  const c = createCanvas(columns * tileW + (columns + 1) * gap, rows * tileH + (rows + 1) * gap);
  c.pixels.fill(32);
  samples.forEach((s, i) => {
    const ox = gap + (i % columns) * (tileW + gap);
    const oy = gap + Math.floor(i / columns) * (tileH + gap);
    for (let y = 0; y < s.height; y++) {
      const src = y * s.width * 3;
      c.pixels.set(s.pixels.subarray(src, src + s.width * 3), ((oy + y) * c.width + ox) * 3);
    }
    for (const b of s.boxes) {
      const [x, y, w, h] = b.bbox;
      const col = PALETTE[b.category % PALETTE.length];
      const [x0, y0, x1, y1] = [Math.round(x), Math.round(y), Math.round(x + w), Math.round(y + h)];
      // A black ring around the coloured one keeps the outline visible on objects of its own colour.
      outline(c, ox, oy, s.width, s.height, x0 - 1, y0 - 1, x1 + 1, y1 + 1, [0, 0, 0]);
      outline(c, ox, oy, s.width, s.height, x0, y0, x1, y1, col);
    }
  });
  return c;
}
