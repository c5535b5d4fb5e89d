// `pyramid-nas study STUDY.json --export [DIR]`: the study's discovered pyramid, from its folder's files
// alone (nothing is trained), as `<study>.graph.json` (with its provenance in `meta.discovered`),
// `<study>.svg` and the PyTorch module `codegen` writes, into DIR (default search-spaces/discovered).
//
// Which pyramid: the best trial by held-out reward over every campaign run of the study, ranked as the
// campaigns rank (src/campaign/records.ts: highest reward, then the earlier trial) and, across runs, as the
// study's evaluation pools its winners (the study file's order of campaigns, then of seeds). The test split
// is never consulted to choose: the graph picked as best of many on the test split would carry that
// selection in its test AP, which would then overstate what the pyramid does on unseen data. The test AP the
// study's evaluation measured for that graph is only reported beside it.
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { writeFileAtomic } from '../campaign/atomic.js';
import type { ResolvedCampaign } from '../campaign/config.js';
import { campaignSpace } from '../campaign/factory.js';
import { OutputFolderError, refuseSystemPath } from '../campaign/output-folder.js';
import { graphWithProvenance } from '../campaign/outputs.js';
import { ranked, type TrialRecord } from '../campaign/records.js';
import { pythonModuleName, writePytorchExport } from '../export/pytorch/write.js';
import { formatIssue, graphHash, parseGraphText, renderSvg } from '../graph/index.js';
import type { PyramidGraph } from '../graph/types.js';
import { PyramidNasError } from '../util/errors.js';
import { INPUT_LIMITS } from '../util/read-bounded.js';
import { EVALUATION_DIR, TRANSFER_DIR } from './evaluate-step.js';
import { readStudyEvaluation } from './evaluation-file.js';
import type { PlannedCampaign, StudyPlan } from './plan.js';
import { checkSameConfig, readCampaignState } from './run.js';

/** What `meta.discovered` says the pyramid was chosen by. */
export const SELECTED_BY = 'held-out reward';

/** The study's held-out best trial and the campaign run it came from. */
export interface DiscoveredWinner {
  run: PlannedCampaign;
  /** The run's configuration as its journal recorded it (the proxy task it really ran). */
  config: ResolvedCampaign;
  record: TrialRecord;
}

export interface HeldOutBest {
  winner?: DiscoveredWinner;
  /** Runs whose journal does not say they finished (`<campaign>-s<seed>: not started|unfinished`). */
  unfinished: string[];
}

/** The best trial by held-out reward over all the study's runs (see above); undefined when none completed. */
export function heldOutBest(plan: StudyPlan): HeldOutBest {
  const unfinished: string[] = [];
  let winner: DiscoveredWinner | undefined;
  for (const run of plan.campaigns) {
    // One read of the journal tells both where the run stands and its trials.
    const { state, read: d } = readCampaignState(run.dir);
    if (state !== 'finished') unfinished.push(`${run.id}: ${state}`);
    if (!d) continue;
    // A run started from another version of the study file is not this study's: refuse, as resuming does.
    checkSameConfig(run, d.config, plan.file);
    const top = ranked(d.records)[0];
    // Strictly better only: of equal rewards the earlier run keeps it, as the evaluation's pooling does.
    if (top && (winner === undefined || top.reward! > winner.record.reward!))
      winner = { run, config: d.config, record: top };
  }
  return { winner, unfinished };
}

export interface TestAp {
  mean: number;
  /** null with one seed. */
  sd: number | null;
  /** The seeds it was trained and scored with so far. */
  seeds: number;
  /** The evaluation's training budget, × the proxy task's steps. */
  budget: number;
}

/**
 * The test AP a study evaluation measured for the graph of `hash`: the main one (`<out>/evaluation/`) or,
 * with TRANSFER_DIR, the one on the second dataset.
 */
export function testApOf(plan: StudyPlan, hash: string, dir = EVALUATION_DIR): TestAp | undefined {
  const ev = readStudyEvaluation(join(plan.out, dir));
  const entry = ev?.entries.find((e) => e.hash === hash && e.seedsDone > 0 && e.AP.mean !== null);
  if (!ev || !entry) return undefined;
  return { mean: entry.AP.mean!, sd: entry.AP.sd, seeds: entry.seedsDone, budget: ev.task.budget };
}

/** The winner's graph: the journal's, or decoded from its decisions (the record) when the journal lacks it. */
const winnerGraph = (w: DiscoveredWinner): PyramidGraph =>
  w.record.graph ?? campaignSpace(w.config).decode(w.record.decisions);

/** The canonical hash of the study's held-out winner (the graph `--export` writes), if any trial completed. */
export function heldOutWinnerHash(plan: StudyPlan): string | undefined {
  const w = heldOutBest(plan).winner;
  return w && graphHash(winnerGraph(w));
}

/** The winner's graph, named after the study, with the campaign export's provenance and `meta.discovered`. */
export function discoveredGraph(plan: StudyPlan, w: DiscoveredWinner): PyramidGraph {
  const r = w.record;
  const graph = graphWithProvenance(w.config, { ...r, graph: winnerGraph(w) });
  const hash = graphHash(graph);
  const testAP = testApOf(plan, hash);
  const transfer = plan.study.transfer;
  const transferAP = transfer && testApOf(plan, hash, TRANSFER_DIR);
  return {
    ...graph,
    name: plan.study.name,
    meta: {
      ...graph.meta,
      discovered: {
        study: plan.study.name,
        studyFile: plan.file,
        campaign: w.run.campaign,
        seed: w.run.seed,
        run: w.run.id,
        trialId: r.trialId,
        heldOutAP: r.metrics!.AP,
        reward: r.reward,
        proxy: w.config.proxy,
        space: w.config.space,
        ...(testAP ? { testAP } : {}),
        ...(transferAP ? { transferAP: { dataset: transfer.dataset, ...transferAP } } : {}),
        selectedBy: SELECTED_BY,
      },
    },
  };
}

export interface ExportResult {
  winner: DiscoveredWinner;
  graph: PyramidGraph;
  hash: string;
  /** Every file written, the graph JSON first. */
  files: string[];
  warnings: string[];
}

/** DIR itself may be created; its parent must exist (a mistyped path is an error, not a new tree). */
function prepareDir(dir: string): boolean {
  refuseSystemPath(dir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new OutputFolderError(dir, `${dir}: exists and is not a folder`);
    return false;
  }
  const parent = dirname(resolve(dir));
  if (!existsSync(parent) || !statSync(parent).isDirectory())
    throw new OutputFolderError(dir, `${dir}: its parent folder ${parent} does not exist`);
  mkdirSync(dir);
  return true;
}

/**
 * Writes the study's discovered pyramid into `dir`. Everything is rendered and written into a staging
 * folder inside `dir` first, so a failure there (an unsupported graph, a full disk) leaves nothing new in
 * `dir`; then the files are renamed into place (same folder: no copy can fail half-way), the graph JSON
 * last, so that the zoo lists a graph only once its companions are there. A target that exists and is
 * not a file is refused before anything is written.
 */
export function exportDiscovered(plan: StudyPlan, dir: string, o: { command: string }): ExportResult {
  const { winner, unfinished } = heldOutBest(plan);
  if (!winner)
    throw new PyramidNasError(
      'STUDY_NOT_READY',
      `${plan.out}: no campaign run of study "${plan.study.name}" has a completed trial to export` +
        (unfinished.length ? ` (${unfinished.join(', ')})` : ''),
      { usage: true, where: { file: plan.out } },
    );
  const warnings: string[] = [];
  if (unfinished.length)
    warnings.push(`not every campaign run has finished (${unfinished.join(', ')}): the best so far is exported`);
  const graph = discoveredGraph(plan, winner);
  const text = JSON.stringify(graph, null, 2) + '\n';
  const parsed = parseGraphText(text);
  if (!parsed.ok)
    throw new PyramidNasError(
      'BAD_GRAPH',
      `trial ${winner.record.trialId}: its graph is not a valid pyramid-graph/1 file: ${parsed.errors.map(formatIssue).join('; ')}`,
    );
  if (Buffer.byteLength(text) > INPUT_LIMITS.graph)
    throw new PyramidNasError(
      'BAD_GRAPH',
      `trial ${winner.record.trialId}: its graph file would exceed the graph size limit`,
    );
  const hash = graphHash(parsed.graph);
  if (!(graph.meta as { discovered: { testAP?: unknown } }).discovered.testAP)
    warnings.push(
      `${join(plan.out, EVALUATION_DIR)}: no test-split result for this graph yet (meta.discovered.testAP left out)`,
    );

  const module = pythonModuleName(plan.study.name);
  const names = [
    `${module}.py`,
    `${module}.retinanet_r50.mmdet.py`,
    `${plan.study.name}.svg`,
    `${plan.study.name}.graph.json`,
  ];
  const created = prepareDir(dir);
  for (const n of names) {
    const target = join(dir, n);
    if (existsSync(target) && !statSync(target).isFile())
      throw new OutputFolderError(target, `${target}: exists and is not a file; nothing was written`);
  }
  const stage = join(dir, `.${plan.study.name}.export-${process.pid}.tmp`);
  try {
    mkdirSync(stage);
    writePytorchExport(graph, join(stage, names[0]), { generatedBy: o.command });
    writeFileAtomic(join(stage, names[2]), renderSvg(graph));
    writeFileAtomic(join(stage, names[3]), text);
    for (const n of names) renameSync(join(stage, n), join(dir, n));
  } finally {
    rmSync(stage, { recursive: true, force: true });
    if (created && existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  }
  const files = [names[3], names[2], names[0], names[1]].map((n) => join(dir, n));
  return { winner, graph, hash, files, warnings };
}
