// Rank correlations for comparing two orderings of the same items (e.g. proxy AP at a short and a long
// budget): Spearman's ρ with average ranks for ties, and Kendall's τ-b, whose tie correction keeps a
// perfectly monotone relation at ±1 even when one side has ties. Both are NaN when either vector is
// constant (no ordering to compare) or has fewer than two items.

function checkLengths(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length)
    throw new RangeError(`rank correlation of vectors of different lengths (${a.length} and ${b.length})`);
}

/** 1-based ranks; tied values share the mean of the ranks they span. */
function averageRanks(v: readonly number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Rounding can leave a perfect correlation a hair outside [−1, 1]. */
const clamp = (x: number) => (Number.isNaN(x) ? x : Math.max(-1, Math.min(1, x)));

/** Spearman's ρ: the Pearson correlation of the average ranks. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  checkLengths(a, b);
  const n = a.length;
  if (n < 2) return NaN;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  // Average ranks always sum to n(n+1)/2, so the mean rank is exact; centring on it keeps ρ(a, −b) = −ρ(a, b)
  // exactly rather than up to rounding.
  const m = (n + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - m) * (rb[i] - m);
    da += (ra[i] - m) ** 2;
    db += (rb[i] - m) ** 2;
  }
  return da === 0 || db === 0 ? NaN : clamp(num / Math.sqrt(da * db));
}

/**
 * Kendall's τ-b: (concordant − discordant) / √((pairs untied in a) × (pairs untied in b)). O(n²), meant for
 * the tens of graphs a fidelity table holds.
 */
export function kendallTauB(a: readonly number[], b: readonly number[]): number {
  checkLengths(a, b);
  const n = a.length;
  let num = 0;
  let untiedA = 0;
  let untiedB = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const sa = Math.sign(a[i] - a[j]);
      const sb = Math.sign(b[i] - b[j]);
      num += sa * sb;
      if (sa !== 0) untiedA++;
      if (sb !== 0) untiedB++;
    }
  return untiedA === 0 || untiedB === 0 ? NaN : clamp(num / Math.sqrt(untiedA * untiedB));
}
