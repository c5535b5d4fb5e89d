// Training batches: a seeded shuffle of the train split per epoch (seedrandom), images scaled to [0, 1].
// Samples are cached after their first render so later epochs cost only the copy.
import seedrandom from 'seedrandom';

import type { DatasetSplit, DetectionSample } from '../data/types.js';

export class BatchSampler {
  private readonly rng: seedrandom.PRNG;
  private order: number[] = [];
  private next = 0;
  /** Split indices handed out so far: where a checkpointed run's batch stream continues (skip). */
  drawn = 0;
  /** `cache`: rendered samples, shareable between the samplers of one trial's runs (same split). */
  constructor(
    private readonly split: DatasetSplit,
    seed: number,
    readonly cache = new Map<number, DetectionSample>(),
    private readonly maxCached = 8192,
  ) {
    this.rng = seedrandom(`pyramid-nas/batches/${seed}`);
  }

  sample(index: number): DetectionSample {
    let s = this.cache.get(index);
    if (!s) {
      s = this.split.get(index);
      if (this.cache.size < this.maxCached) this.cache.set(index, s);
    }
    return s;
  }

  /** Next `size` samples (and their split indices) in shuffled order, reshuffling at each epoch boundary. */
  nextBatch(size: number): { indices: number[]; samples: DetectionSample[] } {
    const indices: number[] = [];
    while (indices.length < size) {
      if (this.next >= this.order.length) this.reshuffle();
      indices.push(this.order[this.next++]);
    }
    this.drawn += size;
    return { indices, samples: indices.map((i) => this.sample(i)) };
  }

  /** Advance the stream by `count` indices without rendering them: a continued run draws what the uninterrupted one would. */
  skip(count: number): void {
    for (let k = 0; k < count; k++) {
      if (this.next >= this.order.length) this.reshuffle();
      this.next++;
    }
    this.drawn += count;
  }

  private reshuffle(): void {
    const n = this.split.count;
    this.order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
    this.next = 0;
  }
}

/** [B, S, S, 3] float pixels in [0, 1] (HWC per image, as the samples store them). */
export function imagesToFloat(samples: ReadonlyArray<DetectionSample>, size: number): Float32Array {
  const per = size * size * 3;
  const out = new Float32Array(samples.length * per);
  const scale = 1 / 255;
  samples.forEach((s, b) => {
    if (s.width !== size || s.height !== size || s.pixels.length !== per) {
      throw new Error(`sample ${s.id} is ${s.width}×${s.height}, expected ${size}×${size}`);
    }
    const px = s.pixels;
    const o = b * per;
    for (let i = 0; i < per; i++) out[o + i] = px[i] * scale;
  });
  return out;
}
