// `npm run bench:graph`: throughput of parse+validate (JSON text → parseGraph) and of the canonical hash on
// generated NAS-FPN-sized graphs (levels 3..7, 7–20 nodes). Prints the median of RUNS timed passes.
import { cpus, loadavg } from 'node:os';

import fc from 'fast-check';

import { graphHash, parseGraph, type PyramidGraph } from '../src/graph/index.js';
import { arbGraph } from '../src/testing/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const COUNT = Number(process.env.BENCH_GRAPHS ?? 2000);

function generate(): PyramidGraph[] {
  const arb = arbGraph({ minLevel: 3, maxLevel: 7, maxNodes: 18, maxFanIn: 4, withMeta: false, size: 'max' }).filter(
    (g) => g.levels.min === 3 && g.levels.max === 7 && g.nodes.length >= 7 && g.nodes.length <= 20,
  );
  return fc.sample(arb, { numRuns: COUNT, seed: 20240601 });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function measure(label: string, pass: () => void): void {
  pass(); // warm-up (JIT)
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    pass();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(COUNT / s);
  }
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `${label.padEnd(28)} median ${fmt(median(rates))} graphs/s  (min ${fmt(Math.min(...rates))}, max ${fmt(Math.max(...rates))}, ${RUNS} runs × ${COUNT} graphs)`,
  );
}

const graphs = generate();
const texts = graphs.map((g) => JSON.stringify(g));
const sizes = graphs.map((g) => g.nodes.length);
console.log(
  `${COUNT} generated graphs, levels 3..7, ${Math.min(...sizes)}–${Math.max(...sizes)} nodes (median ${median(sizes)}); node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`,
);

let sink = 0;
measure('parse+validate (from text)', () => {
  for (const t of texts) if (parseGraph(JSON.parse(t)).ok) sink++;
});
measure('canonical hash', () => {
  for (const g of graphs) sink += graphHash(g).length;
});
measure('parse+validate+hash', () => {
  for (const t of texts) {
    const r = parseGraph(JSON.parse(t));
    if (r.ok) sink += graphHash(r.graph).length;
  }
});
if (sink === 0) console.log('(nothing parsed?)');
