// Non-dominated sets: AP is maximised, costs (MACs, params) are minimised.

export interface ParetoPoint {
  AP: number;
  costs: number[];
}

/** a dominates b: no worse in every objective and strictly better in one. */
export function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  let strictly = a.AP > b.AP;
  if (a.AP < b.AP) return false;
  for (let i = 0; i < a.costs.length; i++) {
    if (a.costs[i] > b.costs[i]) return false;
    if (a.costs[i] < b.costs[i]) strictly = true;
  }
  return strictly;
}

/** The points no other point dominates, in input order (O(n²); campaigns have thousands of trials at most). */
export function paretoFront<T extends ParetoPoint>(points: T[]): T[] {
  return points.filter((p) => !points.some((q) => q !== p && dominates(q, p)));
}
