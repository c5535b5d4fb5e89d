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
import seedrandom from 'seedrandom';

import { type Controller, createController } from '../controllers/index.js';
import { nasFpnSpace } from '../search-spaces/index.js';
import { graphCost } from '../src/graph/index.js';

const SEEDS = Number(process.env.SEEDS ?? 5);
const CAP = Number(process.env.CAP ?? 500);
const IN_FLIGHT = 4;
const W = -0.07;
const INPUT_SIZE = 128;
const KINDS = (process.env.KINDS ?? 'random,evolution,rl').split(',');
const OPTIONS: Record<string, unknown> = JSON.parse(process.env.OPTIONS ?? '{}');

const space = nasFpnSpace();
const SLOTS = 4;

function makeObjective(seed: number, run: string) {
  const target = space.sample(seedrandom(`target-${seed}`));
  const targetMacs = graphCost(space.decode(target), { inputSize: INPUT_SIZE }).macs;
  const noise = seedrandom(`noise-${seed}-${run}`); // each run has its own noise stream
  const gauss = () => Math.sqrt(-2 * Math.log(1 - noise())) * Math.cos(2 * Math.PI * noise());
  const truth = (d: readonly number[]): { ap: number; factor: number; macs: number } => {
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
    const macs = graphCost(space.decode(d), { inputSize: INPUT_SIZE }).macs;
    return { ap: 0.1 + 0.4 * similarity, factor: Math.pow(macs / targetMacs, W), macs };
  };
  return {
    targetMacs,
    truthReward: (d: readonly number[]) => {
      const t = truth(d);
      return t.ap * t.factor;
    },
    observed: (d: readonly number[]) => {
      const t = truth(d);
      return { AP: t.ap + 0.01 * gauss(), macs: t.macs };
    },
  };
}

/** Runs `c` until a trial's noiseless reward ≥ bar (or `limit` trials); returns trials used and best. */
async function run(c: Controller, obj: ReturnType<typeof makeObjective>, bar: number, limit: number) {
  const inFlight: { index: number; decisions: number[] }[] = [];
  let best = -Infinity;
  for (let n = 1; n <= limit; n++) {
    const p = await c.ask();
    const r = obj.truthReward(p.decisions);
    best = Math.max(best, r);
    if (r >= bar) return { trials: n, best };
    inFlight.push(p);
    if (inFlight.length >= IN_FLIGHT) {
      const done = inFlight.shift()!;
      const m = obj.observed(done.decisions);
      await c.tell(done.index, {
        status: 'complete',
        metrics: {
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
          backend: 'synthetic',
        },
      });
    }
  }
  return { trials: limit + 1, best };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  console.log(
    `bench:search  space nas-fpn (${space.size()} decision sequences), ${SEEDS} seeds, cap ${CAP}, ${IN_FLIGHT} in flight`,
  );
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

await main();
