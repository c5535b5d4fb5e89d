// `shapes`: the built-in procedural proxy dataset (docs/datasets.md). Coloured geometric objects of six classes,
// sizes log-uniform from 4 px to 90% of the image (DEFAULT_LAYOUT), 1–8 per image, on noisy textured backgrounds with
// distractor clutter. Sample i of a split is a pure function of (seed, split, i).
import { paintBackground, paintClutter } from './background.js';
import { type Canvas, contrastingColour, createCanvas, plot, type Rgb } from './canvas.js';
import { DEFAULT_LAYOUT, type LayoutOptions, layoutSlots, type Slot } from './layout.js';
import { Rng, SPLIT_STREAM } from './rng.js';
import type { BoxAnnotation, DatasetSplit, DetectionSample, ProxyDataset, SplitName } from './types.js';

export const SHAPE_CLASSES = ['disk', 'square', 'triangle', 'ring', 'cross', 'ellipse'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

/**
 * Membership tests in the slot's normalised coordinates (u, v in [-1, 1], v pointing down). `variant`
 * picks an orientation (triangles up/down, ellipses lying/standing) so classes are not one fixed template.
 */
const INSIDE: Record<ShapeClass, (u: number, v: number, variant: number) => boolean> = {
  disk: (u, v) => u * u + v * v <= 1,
  square: (u, v) => Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8,
  triangle: (u, v, variant) => {
    const w = variant ? -v : v; // 0: apex up, 1: apex down
    return w >= -1 && w <= 0.8 && Math.abs(u) <= ((w + 1) / 1.8) * 0.95;
  },
  ring: (u, v) => {
    const r2 = u * u + v * v;
    return r2 <= 1 && r2 >= 0.36;
  },
  cross: (u, v) => (Math.abs(u) <= 0.28 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.28 && Math.abs(u) <= 1),
  ellipse: (u, v, variant) => {
    const [a, b] = variant ? [v, u] : [u, v];
    return a * a + (b * b) / 0.2 <= 1; // aspect ≈ 2.2 : 1
  },
};

export interface ShapesOptions {
  imageSize: number;
  layout?: LayoutOptions;
}

/** Extra outputs for tests and tools: the image as it was before any object was drawn. */
export interface ShapesScene {
  sample: DetectionSample;
  background?: Uint8Array;
}

interface Raster {
  x0: number;
  y0: number;
  x1: number; // exclusive
  y1: number;
}

/** Visit every pixel of the slot (clipped to the canvas) whose centre lies inside the shape. */
function forEachInside(
  canvas: Canvas,
  slot: Slot,
  cls: ShapeClass,
  variant: number,
  fn: (x: number, y: number) => void,
): void {
  const h = slot.size / 2;
  const inside = INSIDE[cls];
  const xs = Math.max(0, Math.floor(slot.cx - h));
  const xe = Math.min(canvas.width - 1, Math.ceil(slot.cx + h));
  const ys = Math.max(0, Math.floor(slot.cy - h));
  const ye = Math.min(canvas.height - 1, Math.ceil(slot.cy + h));
  const inv = 1 / h;
  for (let y = ys; y <= ye; y++) {
    const v = (y + 0.5 - slot.cy) * inv;
    for (let x = xs; x <= xe; x++) {
      if (inside((x + 0.5 - slot.cx) * inv, v, variant)) fn(x, y);
    }
  }
}

function tightBox(canvas: Canvas, slot: Slot, cls: ShapeClass, variant: number): Raster | null {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  forEachInside(canvas, slot, cls, variant, (x, y) => {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  });
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Render one sample. Pure: same (seed, split, index, options) → same bytes. */
export function renderShapes(
  seed: number,
  split: SplitName,
  index: number,
  opts: ShapesOptions,
  keepBackground = false,
): ShapesScene {
  const size = opts.imageSize;
  const rng = new Rng(seed, SPLIT_STREAM[split], index);
  const canvas = createCanvas(size, size);
  const bg = paintBackground(canvas, rng);
  paintClutter(canvas, rng, rng.intIn(0, 8));
  const background = keepBackground ? canvas.pixels.slice() : undefined;
  const slots = layoutSlots(rng, size, opts.layout ?? DEFAULT_LAYOUT);
  const boxes: BoxAnnotation[] = [];
  const used: Rgb[] = [bg.colours[0], bg.colours[1]];
  for (const slot of slots) {
    const category = rng.int(SHAPE_CLASSES.length);
    const cls = SHAPE_CLASSES[category];
    const variant = rng.int(2);
    const colour = contrastingColour(rng, used, 160);
    const noise = rng.uniform(0, 12);
    const box = tightBox(canvas, slot, cls, variant);
    // Objects that the border cuts down to a sliver are neither drawn nor labelled.
    if (!box || box.x1 - box.x0 < 2 || box.y1 - box.y0 < 2) continue;
    forEachInside(canvas, slot, cls, variant, (x, y) => plot(canvas, x, y, colour, noise, rng));
    const w = box.x1 - box.x0;
    const h = box.y1 - box.y0;
    boxes.push({ bbox: [box.x0, box.y0, w, h], category, area: w * h, iscrowd: 0 });
  }
  return { sample: { id: index, width: size, height: size, pixels: canvas.pixels, boxes }, background };
}

function shapesSplit(seed: number, split: SplitName, count: number, opts: ShapesOptions): DatasetSplit {
  return {
    count,
    get(index: number): DetectionSample {
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new RangeError(`shapes ${split} split: index ${index} out of range [0, ${count})`);
      }
      return renderShapes(seed, split, index, opts).sample;
    },
  };
}

export function createShapesDataset(o: {
  imageSize: number;
  trainImages: number;
  heldoutImages: number;
  testImages?: number;
  seed: number;
  layout?: LayoutOptions;
}): ProxyDataset {
  const opts: ShapesOptions = { imageSize: o.imageSize, layout: o.layout };
  const splits = {
    train: shapesSplit(o.seed, 'train', o.trainImages, opts),
    heldout: shapesSplit(o.seed, 'heldout', o.heldoutImages, opts),
    test: shapesSplit(o.seed, 'test', o.testImages ?? 0, opts),
  };
  return {
    name: 'shapes',
    categories: SHAPE_CLASSES.map((name, i) => ({ name, cocoId: i + 1 })),
    imageSize: o.imageSize,
    split: (name: SplitName) => splits[name],
  };
}
