// Does the proxy rank pyramids like a longer training does? Proxy AP of every zoo graph, the single-level
// baselines and (with --samples K) K random graphs of the nas-fpn space at the default budget and at N× the
// budget (steps), then rank correlations between the two columns over what a search sees, whether FPN
// beats the baseline, the pyramid gap against seed noise, and whether the literature's order holds (the
// report: bench/fidelity-report.ts).
//
//   npm run bench:fidelity -- [--out FILE] [--only fpn,pafpn] [--factor 5] [--budgets 1,5] [--seeds 0]
//                              [--samples K] [--sample-seed 0] [--set k=v ...] [--report] [--reference FILE]
//
// --samples K adds the graphs nas-fpn-sample-00 … drawn from the nas-fpn space with its default options, the
// way a random-search campaign draws them (seeded rng, duplicates by canonical hash skipped), from the fixed
// seed --sample-seed: every process and every rerun gets the same K graphs, and a larger K only adds graphs after them.
// Their rows carry the graph's canonical hash; a row whose hash is not the freshly drawn sample's is ignored.
//
// Trials are appended to a JSONL results file as they finish and skipped when already there, so the bench
// can be stopped and resumed (and split across processes with --only). Prints the table at the end;
// --report prints it from the results file without training anything. The default results file is the
// committed measurement of the default proxy task, so a bare `--report` reprints its table; measure
// anything else (other --set, --seeds or budgets) into a file of its own with --out.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { createRng } from '../controllers/rng.js';
import { getSpace } from '../search-spaces/index.js';
import { singleLevelGraph } from '../src/detector/index.js';
import { graphHash, parseGraph } from '../src/graph/index.js';
import type { PyramidGraph } from '../src/graph/types.js';
import { ZOO_DIR, zooNames } from '../src/graph/zoo.js';
import { trainAndEvaluate } from '../src/train/index.js';
import { resolveProxyTask, storedProxyTask } from '../src/trial/proxy-task.js';
import { printReport, type Row, SAMPLE_PREFIX, sampleIndex } from './fidelity-report.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = flag('--out') ?? 'bench/results/fidelity/shapes-deep.jsonl';
const budgets = (flag('--budgets') ?? `1,${flag('--factor') ?? '5'}`).split(',').map(Number);
const seeds = (flag('--seeds') ?? '0').split(',').map(Number);
const only = flag('--only')?.split(',');
const sampleCount = Number(flag('--samples') ?? 0);
const sampleSeed = Number(flag('--sample-seed') ?? 0);
const overrides: Record<string, unknown> = {};
args.forEach((a, i) => {
  if (a === '--set') {
    const [k, v] = args[i + 1].split('=');
    overrides[k] = Number.isNaN(Number(v)) ? v : Number(v);
  }
});
const base = resolveProxyTask(overrides);

const zoo = zooNames();

/**
 * The first `count` distinct graphs a random search of the nas-fpn space (default options) would draw from
 * the seed: the controller's rng and the space's own sample and decode, repeats by canonical hash skipped.
 */
function drawSamples(count: number): Array<{ graph: PyramidGraph; hash: string }> {
  const space = getSpace('nas-fpn');
  const rng = createRng(`pyramid-nas/bench/fidelity/${sampleSeed}`);
  const drawn: Array<{ graph: PyramidGraph; hash: string }> = [];
  const seen = new Set<string>();
  for (let tries = 0; drawn.length < count; tries++) {
    if (tries > 1000 * (count + 1)) throw new Error(`the nas-fpn space gave fewer than ${count} distinct graphs`);
    const graph = space.decode(space.sample(rng));
    const hash = graphHash(graph);
    if (!seen.has(hash)) drawn.push({ graph, hash });
    seen.add(hash);
  }
  return drawn;
}
const sampleWidth = Math.max(2, String(Math.max(0, sampleCount - 1)).length);
const sampleName = (i: number) => `${SAMPLE_PREFIX}${String(i).padStart(sampleWidth, '0')}`;
const unknown = (only ?? []).filter(
  (n) => sampleIndex(n) !== undefined && (sampleIndex(n)! >= sampleCount || n !== sampleName(sampleIndex(n)!)),
);
if (unknown.length)
  throw new Error(
    `--only ${unknown.join(',')}: not among the --samples ${sampleCount} graphs (${sampleCount ? `${sampleName(0)} … ${sampleName(sampleCount - 1)}` : 'none'})`,
  );

function graphs(): Array<[string, PyramidGraph]> {
  const list: Array<[string, PyramidGraph]> = zoo.map((name) => {
    const r = parseGraph(JSON.parse(readFileSync(join(ZOO_DIR, `${name}.graph.json`), 'utf8')));
    if (!r.ok) throw new Error(`${name}.graph.json is invalid`);
    return [name, r.graph];
  });
  // The "no pyramid" baselines: every output from one backbone level (C4 as the reference, C3 and C5 as well).
  list.push(
    ['single-level-c4', singleLevelGraph(4)],
    ['single-level-c3', singleLevelGraph(3)],
    ['single-level-c5', singleLevelGraph(5)],
  );
  drawSamples(sampleCount).forEach((s, i) => list.push([sampleName(i), s.graph]));
  return list.filter(([name]) => !only || only.includes(name));
}

/** Sample hashes by index, drawn as far as the rows read so far need (drawing is cheap but not free). */
let sampleHashes: string[] = [];
const warned = new Set<string>();
/** A sample row counts only when it names the graph drawn today at its index. */
function sampleRowOk(r: Row): boolean {
  const i = sampleIndex(r.graph);
  if (i === undefined) return true;
  if (i >= sampleHashes.length) sampleHashes = drawSamples(i + 1).map((s) => s.hash);
  if (r.graphHash === sampleHashes[i]) return true;
  const key = `${r.graph} ${r.graphHash}`;
  if (!warned.has(key))
    console.error(
      `warning: ignoring rows of ${r.graph} with graph hash ${r.graphHash ?? '(none)'}: the nas-fpn space with --sample-seed ${sampleSeed} draws ${sampleHashes[i]} there`,
    );
  warned.add(key);
  return false;
}

function readRows(file = out): Row[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row)
    .filter(sampleRowOk);
}

/** A task's identity without its steps; keys added to the schema since a row was written resolve to their defaults. */
const keyOf = (task: Record<string, unknown>) =>
  JSON.stringify({ ...resolveProxyTask({ ...storedProxyTask(task), steps: 1 } as never), steps: undefined });
const taskKey = keyOf(base);
const sameTask = (r: Row) => keyOf(JSON.parse(r.task)) === taskKey;
mkdirSync(dirname(out), { recursive: true });
for (const budget of args.includes('--report') ? [] : budgets) {
  for (const [name, graph] of graphs()) {
    for (const seed of seeds) {
      if (readRows().some((r) => r.graph === name && r.budget === budget && r.seed === seed && sameTask(r))) continue;
      const task = { ...base, steps: base.steps * budget, seed };
      const t0 = performance.now();
      const runAPs: number[] = [];
      const m = await trainAndEvaluate(graph, task, { onRunEnd: (_, s) => runAPs.push(s.AP) });
      const row: Row = {
        graph: name,
        graphHash: graphHash(graph),
        budget,
        seed,
        task: taskKey,
        AP: m.AP,
        runAPs,
        AP50: m.AP50,
        APs: m.APs,
        APm: m.APm,
        seconds: (performance.now() - t0) / 1000,
        trainSeconds: m.trainSeconds,
        evalSeconds: m.evalSeconds,
        params: m.params,
        macs: m.macs,
      };
      appendFileSync(out, `${JSON.stringify(row)}\n`);
      console.error(
        `${name} ×${budget} seed ${seed}: AP ${m.AP.toFixed(4)} (runs ${runAPs.map((a) => a.toFixed(4)).join(' ')}) AP50 ${m.AP50.toFixed(4)} (${row.seconds.toFixed(1)} s)`,
      );
    }
  }
}

// The table, from everything in the results file for this task. With --reference FILE (screening a
// candidate proxy cheaply), the second column is FILE's top budget, whatever task FILE holds.
const reference = flag('--reference');
printReport({
  rows: readRows().filter(sameTask),
  base,
  budgets,
  seeds,
  reference: reference ? { file: reference, rows: readRows(reference) } : undefined,
  zoo,
});
