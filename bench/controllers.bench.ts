// bench:controllers — ask and tell latency per controller on the default NAS-FPN space, 4 trials in
// flight. For rl, tells that trigger a PPO update (every batchSize-th) are also reported on their own,
// and the mean tell (the amortized update cost) is printed too. Each figure is given as wall-clock and as
// this process's CPU time (user+system), because on a shared machine wall time includes waiting for a core.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

import { createController } from '../controllers/index.js';
import { getSpace } from '../search-spaces/index.js';
import { syntheticMetrics } from '../src/testing/synthetic-objective.js';
import type { TrialOutcome } from '../src/trial/types.js';

const N = Number(process.env.N ?? 400);
const space = getSpace('nas-fpn');
const outcome = (d: number[]): TrialOutcome => {
  const ap = d.filter((t) => t % 2 === 0).length / d.length;
  return { status: 'complete', metrics: syntheticMetrics({ AP: ap, macs: 1e9, backend: 'bench' }) };
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => x.toFixed(3);

console.log(
  `bench:controllers  space nas-fpn (${space.decisionCount} decisions), ${N} asks each, 4 in flight, node ${process.version}`,
);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Runs f, returns [wall ms, cpu ms]. */
async function timed<T>(f: () => Promise<T>): Promise<[T, number, number]> {
  const w0 = performance.now();
  const c0 = cpuMs();
  const out = await f();
  return [out, performance.now() - w0, cpuMs() - c0];
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}; cells are "wall / cpu" in ms`,
);
console.log('| controller | median ask | median tell | mean tell | median tell with PPO update |');
console.log('|---|---|---|---|---|');
for (const kind of ['random', 'evolution', 'rl']) {
  const c = await createController(kind, space, {}, 'bench');
  const asks: [number, number][] = [];
  const tells: [number, number][] = [];
  const updateTells: [number, number][] = [];
  const inFlight: { index: number; decisions: number[] }[] = [];
  let told = 0;
  for (let k = 0; k < N; k++) {
    const [p, aw, ac] = await timed(() => c.ask());
    asks.push([aw, ac]);
    inFlight.push(p);
    if (inFlight.length >= 4) {
      const done = inFlight.shift()!;
      const [, tw, tc] = await timed(() => c.tell(done.index, outcome(done.decisions)));
      const dt: [number, number] = [tw, tc];
      tells.push(dt);
      told++;
      if (kind === 'rl' && told % 8 === 0) updateTells.push(dt); // default batchSize 8
    }
  }
  (c as { dispose?: () => void }).dispose?.();
  const both = (xs: [number, number][], f: (v: number[]) => number) =>
    `${ms(f(xs.map((x) => x[0])))} / ${ms(f(xs.map((x) => x[1])))}`;
  console.log(
    `| ${kind} | ${both(asks, median)} | ${both(tells, median)} | ${both(tells, mean)} | ${updateTells.length ? both(updateTells, median) : '–'} |`,
  );
}
