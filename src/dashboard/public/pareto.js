// The Pareto front of (AP up, cost down) in two dimensions: sort by cost, then AP descending, and sweep;
// a point is on the front when its AP beats every cheaper-or-equal point's AP. O(n log n), so the page
// can recompute it on every live update. Same definition as src/campaign/pareto.ts (tested against it).

/** points: [{ AP, cost }, …] → a boolean per point: true when no other point dominates it. */
export function paretoMask(points) {
  const order = points.map((_, k) => k).sort((a, b) => points[a].cost - points[b].cost || points[b].AP - points[a].AP);
  const mask = new Array(points.length).fill(false);
  let bestAP = -Infinity;
  let k = 0;
  while (k < order.length) {
    // Points of equal cost form a group: only the group's top AP can be on the front (and all its ties).
    const cost = points[order[k]].cost;
    const top = points[order[k]].AP;
    let j = k;
    while (j < order.length && points[order[j]].cost === cost) {
      if (points[order[j]].AP === top && top > bestAP) mask[order[j]] = true;
      j++;
    }
    if (top > bestAP) bestAP = top;
    k = j;
  }
  return mask;
}
