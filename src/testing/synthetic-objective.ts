// The synthetic search objective of bench:search (and of the tests that compare controllers on it): no
// training, a hidden target architecture T drawn per seed over the real NAS-FPN space. For a proposal P,
//   similarity = fraction of the cells whose (input1, input2, level, op) tokens all equal T's, averaged
//                with the fraction of single tokens that equal T's (so partial credit exists per token)
//   AP         = 0.1 + 0.4·similarity + noise,  noise ~ N(0, 0.01) (what the controller is told)
//   reward     = AP·(MACs/MACs(T))^−0.07         (MnasNet; MACs from the real cost model at 128 px)
// Trials are judged on the noiseless reward. `drive` runs a controller on it with IN_FLIGHT trials in
// flight, told oldest first, as a small worker pool would.
import seedrandom from 'seedrandom';

import type { Controller } from '../../controllers/types.js';
import { nasFpnSpace } from '../../search-spaces/nas-fpn.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import { graphCost } from '../graph/cost.js';
import type { TrialMetrics } from '../trial/types.js';

export const SYNTHETIC_W = -0.07;
export const SYNTHETIC_INPUT_SIZE = 128;
export const IN_FLIGHT = 4;
const SLOTS = 4;

export interface SyntheticObjective {
  space: SearchSpace;
  /** The hidden target's decisions. */
  target: number[];
  targetMacs: number;
  /** The noiseless reward (what trials are judged on). */
  truthReward(d: readonly number[]): number;
  /** The noiseless AP and MACs. */
  truth(d: readonly number[]): { ap: number; factor: number; macs: number };
  /** What the controller is told: AP with this run's noise, and the MACs. */
  observed(d: readonly number[]): { AP: number; macs: number };
}

/** The objective of `seed`; `run` names this run's noise stream (each run draws its own). */
export function syntheticObjective(seed: number, run: string, space: SearchSpace = nasFpnSpace()): SyntheticObjective {
  const target = space.sample(seedrandom(`target-${seed}`));
  const targetMacs = graphCost(space.decode(target), { inputSize: SYNTHETIC_INPUT_SIZE }).macs;
  const noise = seedrandom(`noise-${seed}-${run}`);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - noise())) * Math.cos(2 * Math.PI * noise());
  const truth = (d: readonly number[]) => {
    let tokens = 0;
    let cells = 0;
    for (let c = 0; c < d.length / SLOTS; c++) {
      let all = true;
      for (let k = c * SLOTS; k < (c + 1) * SLOTS; k++) {
        if (d[k] === target[k]) tokens++;
        else all = false;
      }
      if (all) cells++;
    }
    const similarity = 0.5 * (tokens / d.length) + 0.5 * (cells / (d.length / SLOTS));
    const macs = graphCost(space.decode(d), { inputSize: SYNTHETIC_INPUT_SIZE }).macs;
    return { ap: 0.1 + 0.4 * similarity, factor: Math.pow(macs / targetMacs, SYNTHETIC_W), macs };
  };
  return {
    space,
    target,
    targetMacs,
    truth,
    truthReward: (d) => {
      const t = truth(d);
      return t.ap * t.factor;
    },
    observed: (d) => {
      const t = truth(d);
      return { AP: t.ap + 0.01 * gauss(), macs: t.macs };
    },
  };
}

/**
 * A "known good" design for the warm-start comparisons: the hidden target with `changes` decisions
 * mutated (each a different token), as a published pyramid is close to, but not, the best for a task.
 */
export function nearTarget(obj: SyntheticObjective, changes: number, seed: string): number[] {
  const rng = seedrandom(`near-${seed}`);
  let d = obj.target;
  for (let k = 0; k < changes; k++) d = obj.space.mutate(d, rng);
  return d;
}

/** The metrics a synthetic trial reports: an AP and a cost, every other figure zero; `backend` names the source. */
export function syntheticMetrics(m: { AP: number; macs: number; backend?: string }): TrialMetrics {
  return {
    AP: m.AP,
    AP50: 0,
    AP75: 0,
    APs: 0,
    APm: 0,
    APl: 0,
    params: 0,
    macs: m.macs,
    trainSeconds: 0,
    evalSeconds: 0,
    backend: m.backend ?? 'synthetic',
  };
}

/**
 * Runs `c` on the objective for at most `limit` trials, or until a trial's noiseless reward reaches `bar`;
 * returns the trials used (limit + 1 on a miss), the best noiseless reward, and every trial's truth.
 */
export async function drive(
  c: Controller,
  obj: SyntheticObjective,
  bar: number,
  limit: number,
): Promise<{ trials: number; best: number; points: { AP: number; macs: number }[] }> {
  const inFlight: { index: number; decisions: number[] }[] = [];
  const points: { AP: number; macs: number }[] = [];
  let best = -Infinity;
  for (let n = 1; n <= limit; n++) {
    const p = await c.ask();
    const t = obj.truth(p.decisions);
    points.push({ AP: t.ap, macs: t.macs });
    const r = t.ap * t.factor;
    best = Math.max(best, r);
    if (r >= bar) return { trials: n, best, points };
    inFlight.push(p);
    if (inFlight.length >= IN_FLIGHT) {
      const done = inFlight.shift()!;
      await c.tell(done.index, { status: 'complete', metrics: syntheticMetrics(obj.observed(done.decisions)) });
    }
  }
  return { trials: limit + 1, best, points };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
