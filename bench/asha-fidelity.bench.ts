// Does the lowest rung of successive halving rank pyramids like the full budget does? For each graph (the
// zoo, the single-level C4 baseline, and graphs sampled from the example campaign's nas-fpn space), train
// one run through the rungs a campaign would: the lowest rung (--min steps, handing over a checkpoint),
// then the same run continued to the full proxy task (--max steps, the learning-rate schedule of the full
// run throughout). Prints the Spearman rank correlation of lowest-rung AP against full-budget AP.
//
//   npm run bench:asha-fidelity -- [--out FILE] [--graphs 24] [--min 150] [--max 600] [--backbone-weights NAME]
//                                   [--report] [--sizes]
//
// --sizes prints, instead, the size of each zoo graph's checkpoint as a job carries it (JSON), after one step.
// Resumable: each graph's row is appended to the JSONL results file as it finishes and skipped when it is
// already there, so stopping and running the same command again continues where it stopped. --report
// prints the table from the file without training. Rows name the pre-trained backbone they ran on (rows without
// it predate the choice and ran on shapes-fpn); a run never appends to a file measured on another backbone.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import seedrandom from 'seedrandom';

import { getSpace } from '../search-spaces/index.js';
import { singleLevelGraph } from '../src/detector/index.js';
import { graphHash, parseGraph } from '../src/graph/index.js';
import type { PyramidGraph } from '../src/graph/types.js';
import { trainRung } from '../src/train/index.js';
import { LEGACY_BACKBONE_WEIGHTS, resolveProxyTask } from '../src/trial/proxy-task.js';
import type { TrainCheckpoint } from '../src/trial/types.js';
import { spearman } from '../src/util/rank-correlation.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = flag('--out') ?? 'bench/results/asha/fidelity.jsonl';
const count = Number(flag('--graphs') ?? 24);
const minSteps = Number(flag('--min') ?? 150);
const maxSteps = Number(flag('--max') ?? 600);

interface Row {
  graph: string;
  hash: string;
  minSteps: number;
  maxSteps: number;
  lowAP: number;
  fullAP: number;
  lowSeconds: number;
  fullSeconds: number;
  /** The proxy task's backboneWeights; absent in rows written before the key existed (shapes-fpn). */
  backboneWeights?: string;
}
const backboneOf = (r: Row) => r.backboneWeights ?? LEGACY_BACKBONE_WEIGHTS;

/** The zoo and the single-level baseline, then nas-fpn samples, interleaved so a partial run is already mixed. */
function graphs(): Array<[string, PyramidGraph]> {
  const zoo: Array<[string, PyramidGraph]> = readdirSync('search-spaces/zoo')
    .filter((f) => f.endsWith('.graph.json'))
    .sort()
    .map((f) => {
      const r = parseGraph(JSON.parse(readFileSync(join('search-spaces/zoo', f), 'utf8')));
      if (!r.ok) throw new Error(`${f} is invalid`);
      return [f.replace('.graph.json', ''), r.graph];
    });
  zoo.push(['single-level-c4', singleLevelGraph(4)]);
  const space = getSpace('nas-fpn', { cells: 5, levels: { min: 3, max: 5 } });
  const rng = seedrandom('pyramid-nas/bench/asha-fidelity');
  const sampled: Array<[string, PyramidGraph]> = [];
  for (let i = 0; sampled.length < Math.max(0, count - zoo.length); i++)
    sampled.push([`nas-fpn-sample-${i}`, space.decode(space.sample(rng))]);
  const list: Array<[string, PyramidGraph]> = [];
  for (let i = 0; i < Math.max(zoo.length, sampled.length); i++) {
    if (i < zoo.length) list.push(zoo[i]);
    if (i < sampled.length) list.push(sampled[i]);
  }
  return list.slice(0, count);
}

function readRows(): Row[] {
  if (!existsSync(out)) return [];
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)
    .filter((r) => r.minSteps === minSteps && r.maxSteps === maxSteps);
}

function report(rows: Row[]): void {
  console.log(`backbone: ${[...new Set(rows.map(backboneOf))].join(', ') || '—'}`);
  console.log(`graph                  AP@${minSteps}   AP@${maxSteps}   s@${minSteps}  s@${maxSteps}`);
  for (const r of rows)
    console.log(
      `${r.graph.padEnd(22)} ${r.lowAP.toFixed(4)}  ${r.fullAP.toFixed(4)}  ${r.lowSeconds.toFixed(0).padStart(5)} ${r.fullSeconds.toFixed(0).padStart(5)}`,
    );
  if (rows.length >= 3) {
    const rho = spearman(
      rows.map((r) => r.lowAP),
      rows.map((r) => r.fullAP),
    );
    const topK = Math.max(1, Math.round(rows.length / 3));
    const top = (key: 'lowAP' | 'fullAP') =>
      new Set(
        [...rows]
          .sort((a, b) => b[key] - a[key])
          .slice(0, topK)
          .map((r) => r.graph),
      );
    const fullTop = top('fullAP');
    const kept = [...top('lowAP')].filter((g) => fullTop.has(g)).length;
    console.log(
      `Spearman rho (AP at ${minSteps} steps vs ${maxSteps}) over ${rows.length} graphs: ${rho.toFixed(3)}; ` +
        `top third at ${minSteps} steps holds ${kept} of the ${topK} best at ${maxSteps}`,
    );
  } else console.log(`${rows.length} graph(s) measured: too few for a rank correlation`);
}

/** Each zoo graph's checkpoint, serialized as it travels in a job, at the default proxy task. */
async function sizes(): Promise<void> {
  const proxy = resolveProxyTask({ steps: maxSteps, trainImages: 64, heldoutImages: 8 });
  for (const [name, graph] of graphs().filter(([n]) => !n.startsWith('nas-fpn-sample'))) {
    let bytes = 0;
    await trainRung(graph, proxy, { onCheckpoint: (c) => (bytes = JSON.stringify(c).length) }, { rung: 0, steps: 1 });
    console.log(`${name.padEnd(22)} checkpoint ${(bytes / 1e6).toFixed(1)} MB`);
  }
}

async function main(): Promise<void> {
  if (args.includes('--report')) return report(readRows());
  if (args.includes('--sizes')) return sizes();
  mkdirSync(dirname(out), { recursive: true });
  const done = new Set(readRows().map((r) => r.graph));
  const chosen = flag('--backbone-weights');
  const proxy = resolveProxyTask({ steps: maxSteps, ...(chosen ? { backboneWeights: chosen as never } : {}) });
  const other = readRows().find((r) => backboneOf(r) !== proxy.backboneWeights);
  if (other) {
    console.error(
      `${out}: its rows ran on backbone ${backboneOf(other)}, this run would use ${proxy.backboneWeights}: measure into a new file with --out`,
    );
    process.exitCode = 2;
    return;
  }
  for (const [name, graph] of graphs()) {
    if (done.has(name)) continue;
    let ckpt: TrainCheckpoint | undefined;
    const t0 = performance.now();
    const low = await trainRung(graph, proxy, { onCheckpoint: (c) => (ckpt = c) }, { rung: 0, steps: minSteps });
    const t1 = performance.now();
    const full = await trainRung(graph, proxy, {}, { rung: 1, steps: maxSteps, checkpoint: ckpt });
    const row: Row = {
      graph: name,
      hash: graphHash(graph),
      minSteps,
      maxSteps,
      lowAP: low.AP,
      fullAP: full.AP,
      lowSeconds: (t1 - t0) / 1000,
      fullSeconds: (performance.now() - t1) / 1000,
      backboneWeights: proxy.backboneWeights,
    };
    appendFileSync(out, JSON.stringify(row) + '\n');
    console.log(`${name}: AP ${row.lowAP.toFixed(4)} at ${minSteps} steps, ${row.fullAP.toFixed(4)} at ${maxSteps}`);
  }
  report(readRows());
}

await main();
