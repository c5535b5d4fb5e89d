// Small, fast, seedable PRNG for the procedural datasets. Every sample is generated from
// (dataset seed, split, index) alone, so `get(i)` is random-access: the generator state for a sample is
// built directly from those three numbers (no sequential stream to replay).

/** 32-bit integer hash (a murmur3-style finalizer): spreads nearby inputs over the whole range. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hash an arbitrary (finite) number into 32 bits, keeping integers up to 2^53 distinct in both halves. */
export function hashNumber(n: number): number {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  return mix32(lo ^ mix32(hi + 0x9e3779b9));
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator), written from its published description.
 * The four state words are (seed hash, split tag, index, constant), so two samples that differ in split
 * or index start from different states by construction: train and held-out streams never coincide.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: number, index: number) {
    this.a = hashNumber(seed);
    this.b = stream >>> 0;
    this.c = index >>> 0;
    this.d = (Math.floor(index / 4294967296) ^ 0x2545f491) >>> 0;
    for (let i = 0; i < 15; i++) this.nextUint32(); // warm up: decorrelate neighbouring indices
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi] inclusive. */
  intIn(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Split tags: distinct constants so the splits draw from disjoint generator states. */
export const SPLIT_STREAM = { train: 0x7472616e, heldout: 0x68656c64, test: 0x74657374 } as const;
