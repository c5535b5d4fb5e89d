// NSGA-II's two rankings (Deb et al. 2002), for points whose every objective is minimised: the
// non-dominated sort (rank 0 is the Pareto front, rank 1 the front once rank 0 is removed, …) and the
// crowding distance inside one rank (how far a point's neighbours are, per objective, normalised by the
// objective's range; the extremes of each objective get Infinity, so they are always kept).

/** a dominates b: no worse in every objective and strictly better in at least one (all minimised). */
export function dominatesMin(a: readonly number[], b: readonly number[]): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

/** The rank of each point (0 = not dominated by any point); O(n²·m), as in NSGA-II's fast sort. */
export function nonDominatedRanks(points: readonly (readonly number[])[]): number[] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominates: number[][] = points.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominatesMin(points[i], points[j])) {
        dominates[i].push(j);
        dominatedBy[j]++;
      } else if (dominatesMin(points[j], points[i])) {
        dominates[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const rank = new Array<number>(n).fill(-1);
  let front = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) front.push(i);
  for (let r = 0; front.length > 0; r++) {
    const next: number[] = [];
    for (const i of front) {
      rank[i] = r;
      for (const j of dominates[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    front = next;
  }
  return rank;
}

/**
 * The crowding distance of each point of `members` (indices into `points`, one rank), in the order of
 * `members`. An objective whose values are all equal, or not all finite, adds nothing (its range says
 * nothing about spacing) except Infinity at the ends it has.
 */
export function crowdingDistances(points: readonly (readonly number[])[], members: readonly number[]): number[] {
  const d = new Array<number>(members.length).fill(0);
  if (members.length === 0) return d;
  const m = points[members[0]].length;
  for (let k = 0; k < m; k++) {
    const value = (pos: number) => points[members[pos]][k];
    // Not a subtraction: Infinity − Infinity is NaN, which would leave the order undefined.
    const order = members
      .map((_, pos) => pos)
      .sort((a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : a - b));
    const lo = points[members[order[0]]][k];
    const hi = points[members[order[order.length - 1]]][k];
    d[order[0]] = Infinity;
    d[order[order.length - 1]] = Infinity;
    const range = hi - lo;
    if (!(range > 0) || !Number.isFinite(range)) continue;
    for (let q = 1; q < order.length - 1; q++) {
      const gap = points[members[order[q + 1]]][k] - points[members[order[q - 1]]][k];
      d[order[q]] += gap / range;
    }
  }
  return d;
}

/** Rank and crowding distance of every point: what NSGA-II's crowded comparison reads. */
export function nsgaRanking(points: readonly (readonly number[])[]): { rank: number[]; crowding: number[] } {
  const rank = nonDominatedRanks(points);
  const crowding = new Array<number>(points.length).fill(0);
  const byRank = new Map<number, number[]>();
  rank.forEach((r, i) => byRank.set(r, [...(byRank.get(r) ?? []), i]));
  for (const members of byRank.values()) {
    const dist = crowdingDistances(points, members);
    members.forEach((i, pos) => (crowding[i] = dist[pos]));
  }
  return { rank, crowding };
}

/** NSGA-II's crowded comparison: a lower rank wins, then a larger crowding distance. Negative: a is better. */
export function crowdedCompare(a: { rank: number; crowding: number }, b: { rank: number; crowding: number }): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.crowding === b.crowding) return 0;
  return a.crowding > b.crowding ? -1 : 1;
}
