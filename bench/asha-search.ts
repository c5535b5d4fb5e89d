// bench:search's successive-halving section: training steps to reach a target, with and without ASHA
// around the same controller, on a multi-fidelity version of the synthetic objective
// (src/testing/synthetic-objective.ts). A trial trained s of the full S steps is observed as
//   AP_s = √(s/S) · (ap + noise),  noise ~ N(0, (0.01 + 0.005·(1 − s/S))²)
// so low rungs rank graphs like the full run but noisily (the bench prints the rank correlation of the
// lowest rung with the full run over random graphs; the real proxy's is measured by bench:asha-fidelity).
// ASHA_NOISE sets the 0.005. Four workers; a job of k steps takes k time units; results are handled as they
// finish. Without a scheduler every trial trains S steps and the controller is
// told AP_S; with ASHA (the campaign's rule, src/campaign/scheduler/asha.ts) trials start at the lowest
// rung, the controller is told their rung-0 AP (as a campaign tells it), and promotions continue them. The
// target is reached when a trial trained to the full S has a noiseless reward at the bar (random search's
// best of 100 full trials, as in the controllers section). Printed: steps spent until then, per seed.
import seedrandom from 'seedrandom';

import { createController } from '../controllers/index.js';
import type { Controller } from '../controllers/types.js';
import { nasFpnSpace } from '../search-spaces/index.js';
import { AshaRungs, rungSteps } from '../src/campaign/scheduler/asha.js';
import {
  drive,
  median,
  SYNTHETIC_W as W,
  syntheticMetrics,
  type SyntheticObjective,
  syntheticObjective,
} from '../src/testing/synthetic-objective.js';
import { spearman } from '../src/util/rank-correlation.js';

const FULL = 600;
const MIN = 150;
const ETA = 3;
const WORKERS = 4;
/** How much noisier the lowest rungs are than the full run (ASHA_NOISE; the 0.005 of the formula above). */
const LOW_NOISE = Number(process.env.ASHA_NOISE ?? 0.005);

interface Job {
  index: number;
  decisions: number[];
  rung: number;
  steps: number;
  /** Steps this job trains. */
  cost: number;
  end: number;
}

/** The observed AP after `steps` of the full run, with noise that shrinks as training goes on. */
function observedAt(obj: SyntheticObjective, d: readonly number[], steps: number, rng: () => number) {
  const t = obj.truth(d);
  const p = steps / FULL;
  const gauss = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return { AP: Math.sqrt(p) * (t.ap + (0.01 + LOW_NOISE * (1 - p)) * gauss), macs: t.macs };
}

/** Steps spent until a full-budget trial reaches `bar` (Infinity if not within `capSteps`). */
async function stepsToBar(
  c: Controller,
  obj: SyntheticObjective,
  bar: number,
  capSteps: number,
  asha: boolean,
  seed: string,
) {
  const rng = seedrandom(`mf-noise-${seed}`);
  const steps = asha ? rungSteps(MIN, FULL, ETA) : [FULL];
  const rungs = new AshaRungs(steps, ETA);
  const decisionsOf = new Map<number, number[]>();
  const running: Job[] = [];
  let now = 0;
  let spent = 0;
  const dispatch = async () => {
    const p = rungs.nextPromotion();
    if (p) {
      rungs.markPromoted(p.index, p.rung - 1);
      const cost = steps[p.rung] - steps[p.rung - 1];
      running.push({
        index: p.index,
        decisions: decisionsOf.get(p.index)!,
        rung: p.rung,
        steps: steps[p.rung],
        cost,
        end: now + cost,
      });
      return;
    }
    const q = await c.ask();
    decisionsOf.set(q.index, q.decisions);
    running.push({
      index: q.index,
      decisions: q.decisions,
      rung: 0,
      steps: steps[0],
      cost: steps[0],
      end: now + steps[0],
    });
  };
  while (spent < capSteps) {
    while (running.length < WORKERS) await dispatch();
    running.sort((a, b) => a.end - b.end || a.index - b.index);
    const job = running.shift()!;
    now = job.end;
    spent += job.cost;
    const seen = observedAt(obj, job.decisions, job.steps, rng);
    const reward = seen.AP * Math.pow(seen.macs / obj.targetMacs, W);
    rungs.record(job.rung, { index: job.index, reward, complete: true });
    if (job.rung === 0) await c.tell(job.index, { status: 'complete', metrics: syntheticMetrics(seen) });
    if (job.steps === FULL && obj.truthReward(job.decisions) >= bar) return spent;
  }
  return Infinity;
}

export async function ashaSection(seeds: number, capTrials: number): Promise<void> {
  const space = nasFpnSpace();
  // How well the lowest rung ranks random graphs against the full run, in this objective.
  const probe = syntheticObjective(1, 'probe', space);
  const prng = seedrandom('mf-probe');
  const sample = Array.from({ length: 400 }, () => space.sample(prng));
  const rho = spearman(
    sample.map((d) => observedAt(probe, d, MIN, prng).AP),
    sample.map((d) => observedAt(probe, d, FULL, prng).AP),
  );
  const capSteps = capTrials * FULL;
  const kinds = ['random', 'evolution'];
  const rows: Record<string, number[]> = {};
  for (const kind of kinds) for (const mode of ['full', 'asha']) rows[`${kind} ${mode}`] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const barObj = syntheticObjective(seed, 'bar', space);
    const opts = { objective: { metric: 'AP', macsTarget: barObj.targetMacs, w: W } };
    const bar = (await drive(await createController('random', space, opts, `bar-${seed}`), barObj, Infinity, 100)).best;
    for (const kind of kinds)
      for (const mode of ['full', 'asha'] as const) {
        const c = await createController(kind, space, opts, kind === 'random' ? `other-${seed}` : `${seed}`);
        const obj = syntheticObjective(seed, `mf-${kind}`, space);
        rows[`${kind} ${mode}`].push(
          await stepsToBar(c, obj, bar, capSteps, mode === 'asha', `${seed}-${kind}-${mode}`),
        );
        (c as { dispose?: () => void }).dispose?.();
      }
  }
  const show = (x: number) => (Number.isFinite(x) ? `${(x / 1000).toFixed(1)}k` : `>${capSteps / 1000}k`);
  console.log(
    `\nsuccessive halving: training steps until a full-budget (${FULL}-step) trial reaches the bar, ASHA minSteps ${MIN}, η ${ETA} (rungs ${rungSteps(MIN, FULL, ETA).join('/')}), ${WORKERS} workers; lowest rung vs full run over 400 random graphs: Spearman ρ ${rho.toFixed(2)}`,
  );
  console.log(`| controller | scheduler | median steps (${seeds} seeds) | vs full | per seed |`);
  console.log('|---|---|---|---|---|');
  for (const kind of kinds) {
    const full = median(rows[`${kind} full`]);
    for (const mode of ['full', 'asha']) {
      const xs = rows[`${kind} ${mode}`];
      console.log(
        `| ${kind} | ${mode === 'full' ? 'none (600 steps each)' : 'asha'} | ${show(median(xs))} | ${(median(xs) / full).toFixed(2)}× | ${xs.map(show).join(', ')} |`,
      );
    }
  }
}
