// The campaign's definition of "best" for the page, on table rows ({ i, st, reward }): the highest
// reward; of equal rewards the lower trial index. The same ranking as src/campaign/records.ts
// (compareByObjective), which names each campaign's best in its header; tested against it.

/** Negative when row a ranks ahead of row b. */
export function compareRows(a, b) {
  return b.reward - a.reward || a.i - b.i;
}

/** Complete rows with a reward: the only ones that can be best. */
export function rankable(r) {
  return r.st === 'complete' && typeof r.reward === 'number' && Number.isFinite(r.reward);
}

/** rows in index order → for each, the best rankable row among it and those before it (undefined before the first). */
export function bestSoFar(rows) {
  let best;
  return rows.map((r) => {
    if (rankable(r) && (best === undefined || compareRows(r, best) < 0)) best = r;
    return best;
  });
}
