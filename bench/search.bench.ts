// bench:search — how many trials each controller needs, on a cheap synthetic objective over the real
// NAS-FPN space (default options), to reach the best result random search finds in 100 trials.
//
// Synthetic objective (no training): a hidden target architecture T is drawn per seed. For a proposal P,
//   similarity = fraction of the 7 cells whose (input1, input2, level, op) tokens all equal T's, averaged
//                with the fraction of single tokens that equal T's (so partial credit exists per token)
//   AP         = 0.1 + 0.4·similarity + noise,  noise ~ N(0, 0.01) (what the controller is told)
//   reward     = AP·(MACs/MACs(T))^−0.07         (MnasNet; MACs from the real cost model at 128 px)
// Trials are judged on the noiseless reward (each run draws its own noise). Per seed: random search (seed s) runs 100 trials and its
// best noiseless reward is the bar; then random (another seed), evolution and rl (seed s) run until a
// trial reaches the bar, capped at CAP trials. Four trials are in flight at a time (told oldest first),
// as with a small worker pool. Printed: per-seed counts, their median (the headline figure) and mean.
// Evolution and rl draw their first, near-uniform proposals from the same seed, so their early luck is
// shared; random uses a seed of its own, and the bar yet another. SEEDS=15 npm run bench:search for more.
//
// Then three comparisons (SECTIONS=controllers,warm-start,hypervolume,asha picks which run):
// - warm start: trials evolution needs to reach 60 % of the target's reward, unseeded and seeded with three
//   known designs (each the target with ≥ 6 decisions changed, below that bar); median over seeds.
// - hypervolume: after N trials (HV_TRIALS, default 100), the hypervolume of the (AP, MACs) front of the
//   trials' noiseless AP against the reference point (AP 0, 1.1 × the largest MACs of 2 000 random graphs),
//   normalised by that box; random, evolution (MnasNet reward) and pareto-evolution, median over seeds.
// - asha: training steps until a full-budget trial reaches the bar, with and without successive halving
//   around random and evolution, on a multi-fidelity version of the objective (bench/asha-search.ts).
// The objective itself lives in src/testing/synthetic-objective.ts (the warm-start test uses it too).
import seedrandom from 'seedrandom';

import { createController } from '../controllers/index.js';
import { nasFpnSpace } from '../search-spaces/index.js';
import { hypervolume2d } from '../src/campaign/hypervolume.js';
import { graphCost } from '../src/graph/index.js';
import {
  drive as run,
  IN_FLIGHT,
  median,
  nearTarget,
  SYNTHETIC_INPUT_SIZE,
  SYNTHETIC_W as W,
  syntheticObjective,
} from '../src/testing/synthetic-objective.js';
import { ashaSection } from './asha-search.js';

const SEEDS = Number(process.env.SEEDS ?? 5);
const CAP = Number(process.env.CAP ?? 500);
const KINDS = (process.env.KINDS ?? 'random,evolution,rl').split(',');
const OPTIONS: Record<string, unknown> = JSON.parse(process.env.OPTIONS ?? '{}');
const SECTIONS = (process.env.SECTIONS ?? 'controllers,warm-start,hypervolume,asha').split(',');
const HV_TRIALS = Number(process.env.HV_TRIALS ?? 100);

const space = nasFpnSpace();
const makeObjective = (seed: number, run: string) => syntheticObjective(seed, run, space);

async function controllersSection() {
  const counts: Record<string, number[]> = Object.fromEntries(KINDS.map((k) => [k, []]));
  const bars: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const obj = makeObjective(seed, 'bar');
    // The controllers optimize the same MnasNet reward from the (noisy) AP and MACs they are told.
    const macsTarget = obj.targetMacs;
    const opts = (kind: string) => ({
      objective: { metric: 'AP', macsTarget, w: W },
      ...((OPTIONS[kind] as object) ?? {}),
    });
    const baseline = await createController('random', space, opts('random'), `bar-${seed}`);
    const bar = (await run(baseline, obj, Infinity, 100)).best;
    bars.push(bar);
    const row: string[] = [];
    for (const kind of KINDS) {
      const c = await createController(kind, space, opts(kind), kind === 'random' ? `other-${seed}` : `${seed}`);
      const { trials } = await run(c, makeObjective(seed, kind), bar, CAP);
      (c as { dispose?: () => void }).dispose?.();
      counts[kind].push(trials);
      row.push(`${kind} ${trials > CAP ? `>${CAP}` : trials}`);
    }
    console.log(`seed ${seed}: bar ${bar.toFixed(4)} | ${row.join(' | ')}`);
  }
  console.log(
    `\n| controller | median trials (${SEEDS} seeds) | mean trials (a miss counts as ${CAP + 1}) | seeds that missed within ${CAP} | per seed |`,
  );
  console.log('|---|---|---|---|---|');
  for (const kind of KINDS) {
    const xs = counts[kind];
    const show = (x: number) => (x > CAP ? `>${CAP}` : String(x));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `| ${kind} | ${show(median(xs))} | ${mean.toFixed(0)} | ${xs.filter((x) => x > CAP).length} | ${xs.map(show).join(', ')} |`,
    );
  }
  console.log(`(bar = random best-of-100, median ${median(bars).toFixed(4)})`);
}

/** Seeded against unseeded evolution: trials to 60 % of the target's reward (the warm-start test's setting). */
async function warmStartSection() {
  const FRACTION = 0.6;
  const CHANGES = 6;
  const rows: Record<'unseeded' | 'seeded', number[]> = { unseeded: [], seeded: [] };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const obj = makeObjective(seed, 'run');
    const bar = FRACTION * obj.truthReward(obj.target);
    const known = [0, 1, 2].map((j) => {
      let d = nearTarget(obj, CHANGES, `${seed}-${j}`);
      for (let more = 1; obj.truthReward(d) >= bar; more++) d = nearTarget(obj, CHANGES + more, `${seed}-${j}`);
      return d;
    });
    for (const kind of ['unseeded', 'seeded'] as const) {
      const c = await createController(
        'evolution',
        space,
        { objective: { metric: 'AP', macsTarget: obj.targetMacs, w: W } },
        `${seed}`,
      );
      if (kind === 'seeded') c.warmStart!(known);
      rows[kind].push((await run(c, makeObjective(seed, 'run'), bar, CAP)).trials);
    }
  }
  const show = (x: number) => (x > CAP ? `>${CAP}` : String(x));
  console.log(
    `\nwarm start: evolution's trials to ${FRACTION * 100} % of the target's reward (seeds: 3 designs ≥ ${CHANGES} decisions from it, below the bar)`,
  );
  console.log(`| evolution | median trials (${SEEDS} seeds) | per seed |`);
  console.log('|---|---|---|');
  for (const kind of ['unseeded', 'seeded'] as const)
    console.log(`| ${kind} | ${show(median(rows[kind]))} | ${rows[kind].map(show).join(', ')} |`);
}

/** Hypervolume of the (AP, MACs) front after HV_TRIALS trials, per controller. */
async function hypervolumeSection() {
  const rng = seedrandom('hv-reference');
  let maxMacs = 0;
  for (let k = 0; k < 2000; k++)
    maxMacs = Math.max(maxMacs, graphCost(space.decode(space.sample(rng)), { inputSize: SYNTHETIC_INPUT_SIZE }).macs);
  const ref = 1.1 * maxMacs;
  const kinds = ['random', 'evolution', 'pareto-evolution'];
  const hv: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let seed = 1; seed <= SEEDS; seed++) {
    for (const kind of kinds) {
      const obj = makeObjective(seed, kind);
      const c = await createController(
        kind,
        space,
        { objective: { metric: 'AP', macsTarget: obj.targetMacs, w: W } },
        kind === 'random' ? `other-${seed}` : `${seed}`,
      );
      const { points } = await run(c, obj, Infinity, HV_TRIALS);
      hv[kind].push(
        hypervolume2d(
          points.map((p) => ({ AP: p.AP, cost: p.macs })),
          ref,
        ) / ref,
      );
    }
  }
  console.log(
    `\nhypervolume of the (AP, MACs) front after ${HV_TRIALS} trials (noiseless AP; reference AP 0, ${(ref / 1e9).toFixed(3)} GMACs = 1.1 × the largest of 2 000 random graphs; normalised by that box)`,
  );
  console.log(`| controller | median hypervolume (${SEEDS} seeds) | vs random | per seed |`);
  console.log('|---|---|---|---|');
  const base = median(hv.random);
  for (const kind of kinds)
    console.log(
      `| ${kind} | ${median(hv[kind]).toFixed(4)} | ${(median(hv[kind]) / base).toFixed(3)}× | ${hv[kind].map((x) => x.toFixed(4)).join(', ')} |`,
    );
}

async function main() {
  console.log(
    `bench:search  space nas-fpn (${space.size()} decision sequences), ${SEEDS} seeds, cap ${CAP}, ${IN_FLIGHT} in flight`,
  );
  if (SECTIONS.includes('controllers')) await controllersSection();
  if (SECTIONS.includes('warm-start')) await warmStartSection();
  if (SECTIONS.includes('hypervolume')) await hypervolumeSection();
  if (SECTIONS.includes('asha')) await ashaSection(SEEDS, CAP);
}

await main();
