// Asynchronous successive halving (ASHA, Li et al. 2018, "A System for Massively Parallel Hyperparameter
// Tuning", Algorithm 2): the promotion rule, as a pure function of the results so far. Every trial starts at
// rung 0; whenever a slot frees up, the highest rung k that has a promotable trial promotes one: a trial in
// the top ⌊n_k/η⌋ of the n_k results at rung k that was not yet promoted from k. Only when no rung has one is
// a new trial started. Results are ranked by reward, highest first; equal rewards by the earlier trial, so
// the rule is a total order and gives the same promotions on resume.

/** One result at a rung: the trial, its reward there, and whether it can be continued (it completed). */
export interface RungResult {
  index: number;
  reward: number;
  complete: boolean;
}

/** The rungs' training steps: minSteps·η^k below maxSteps, then maxSteps itself (the full run). */
export function rungSteps(minSteps: number, maxSteps: number, eta: number): number[] {
  const steps: number[] = [];
  for (let s = minSteps; s < maxSteps; s *= eta) steps.push(Math.round(s));
  steps.push(maxSteps);
  return steps;
}

/** Higher reward first; of equal rewards the earlier trial. */
export function byReward(a: RungResult, b: RungResult): number {
  return b.reward - a.reward || a.index - b.index;
}

/** The trials of one rung that the rule lets through now: its top ⌊n/η⌋ results. */
export function topOfRung(results: readonly RungResult[], eta: number): RungResult[] {
  return [...results].sort(byReward).slice(0, Math.floor(results.length / eta));
}

/** The results and promotions of every rung, as the campaign journal records them. */
export class AshaRungs {
  /** results[k]: every result at rung k, in arrival order. */
  private readonly results: RungResult[][];
  /** promoted[k]: trials promoted out of rung k (into rung k+1). */
  private readonly promoted: Array<Set<number>>;

  constructor(
    readonly steps: readonly number[],
    readonly eta: number,
  ) {
    this.results = steps.map(() => []);
    this.promoted = steps.map(() => new Set<number>());
  }

  get top(): number {
    return this.steps.length - 1;
  }

  /** A trial's result at `rung` (its reward, and whether it completed). */
  record(rung: number, result: RungResult): void {
    this.results[rung].push(result);
  }

  /** Trial `index` was promoted out of rung `from`; a second promotion out of the same rung is refused. */
  markPromoted(index: number, from: number): void {
    if (this.promoted[from].has(index)) throw new Error(`trial ${index} was already promoted out of rung ${from}`);
    if (!this.results[from].some((r) => r.index === index))
      throw new Error(`trial ${index} has no result at rung ${from} to be promoted on`);
    this.promoted[from].add(index);
  }

  /** The next promotion the rule allows: the trial and the rung it moves to, or undefined. */
  nextPromotion(): { index: number; rung: number } | undefined {
    for (let k = this.top - 1; k >= 0; k--) {
      const pick = topOfRung(this.results[k], this.eta).find((r) => r.complete && !this.promoted[k].has(r.index));
      if (pick) return { index: pick.index, rung: k + 1 };
    }
    return undefined;
  }

  /** Per rung: how many results it has and how many trials it promoted. */
  counts(): Array<{ steps: number; results: number; promoted: number }> {
    return this.steps.map((steps, k) => ({ steps, results: this.results[k].length, promoted: this.promoted[k].size }));
  }
}
