// The hypervolume of a set of (AP, cost) points: the area of the region they dominate, bounded by a
// reference point (AP 0, cost R), AP maximised and cost minimised. One number for how good a whole
// front is: it grows when a point moves up (more AP) or left (less cost), or when a new point fills a
// gap. A point at or beyond the reference (AP ≤ 0, cost ≥ R, or not finite) adds nothing.

export interface HypervolumeReference {
  AP: 0;
  cost: number;
}

/** The dominated area of the points (any set: dominated points add nothing), O(n log n). */
export function hypervolume2d(points: readonly { AP: number; cost: number }[], referenceCost: number): number {
  const inside = points
    .filter((p) => Number.isFinite(p.AP) && Number.isFinite(p.cost) && p.AP > 0 && p.cost < referenceCost)
    .sort((a, b) => a.cost - b.cost || b.AP - a.AP);
  let area = 0;
  let bestAP = 0;
  for (let i = 0; i < inside.length; i++) {
    bestAP = Math.max(bestAP, inside[i].AP);
    const next = i + 1 < inside.length ? inside[i + 1].cost : referenceCost;
    area += (next - inside[i].cost) * bestAP;
  }
  return area;
}

/**
 * The reference cost a campaign states: the constraint's limit when it has one (no trial may pass it),
 * else 1.1 × the largest cost seen, so the most expensive point still counts.
 */
export function referenceCost(costs: readonly number[], limit?: number): { cost: number; rule: string } {
  if (limit !== undefined) return { cost: limit, rule: 'the constraint' };
  const finite = costs.filter((c) => Number.isFinite(c) && c > 0);
  return { cost: finite.length ? 1.1 * Math.max(...finite) : 1, rule: '1.1 × the largest cost among the points' };
}

/** The hypervolume with its reference point, and normalised by the reference box (AP 1 × cost R). */
export function hypervolumeReport(
  points: readonly { AP: number; cost: number }[],
  costName: 'macs' | 'params',
  limit?: number,
): { reference: { AP: number } & Record<string, number>; rule: string; value: number; normalized: number } {
  const ref = referenceCost(
    points.map((p) => p.cost),
    limit,
  );
  const value = hypervolume2d(points, ref.cost);
  return { reference: { AP: 0, [costName]: ref.cost }, rule: ref.rule, value, normalized: value / ref.cost };
}
