// What an evaluation compares: graphs named on the command line (or the best K trials of a campaign:
// campaign-entries.ts), plus reference pyramids (baselines) projected onto the same levels and width. Every
// entry is on the task's levels: a graph that covers other levels is refused (exit 2), since scoring it
// would compare detectors that predict on different pyramid levels.
import { singleLevelGraph } from '../detector/baseline.js';
import { graphHash } from '../graph/index.js';
import { projectGraph } from '../graph/project.js';
import type { PyramidGraph } from '../graph/types.js';
import { resolveGraphSpec } from '../graph/zoo.js';
import { isUsageError } from '../util/errors.js';
import { EvaluateError } from './errors.js';

export interface Levels {
  min: number;
  max: number;
}

export interface EvalEntry {
  /** Shown in the table and the plot; unique within an evaluation. */
  name: string;
  role: 'graph' | 'trial' | 'baseline';
  /** Where it came from: a file, `zoo:fpn`, `results/x#x-3`. */
  source: string;
  /** On the task's levels, at its own (or, for a baseline, the reference graph's) width. */
  graph: PyramidGraph;
  /** Canonical hash of `graph`: the record key of its trainings. */
  hash: string;
  /** The held-out AP it was selected on (a campaign trial, or a graph exported from one). */
  heldoutAP?: number;
}

/** The default baselines of a campaign evaluation (none when graphs are named). */
export const DEFAULT_CAMPAIGN_BASELINES = ['fpn', 'pafpn', 'bifpn', 'nas-fpn'];

const levelsText = (l: Levels) => `P${l.min}–P${l.max}`;

/** A graph must cover exactly the task's levels; anything else is refused with both ranges named. */
export function requireLevels(graph: PyramidGraph, levels: Levels, source: string): void {
  if (graph.levels.min === levels.min && graph.levels.max === levels.max) return;
  throw new EvaluateError(
    'BAD_LEVELS',
    `${source}: graph "${graph.name}" covers ${levelsText(graph.levels)}, but this evaluation's task predicts on ` +
      `${levelsText(levels)}; every graph must cover exactly those levels (a reference design can be projected: ` +
      `pass it with --baselines)`,
    { file: source },
  );
}

/** The held-out AP a graph file says it was selected on (a campaign export carries it in meta). */
export function heldoutApOf(graph: PyramidGraph): number | undefined {
  const meta = graph.meta ?? {};
  const v = typeof meta.heldoutAP === 'number' ? meta.heldoutAP : meta.trial !== undefined ? meta.AP : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `single-level-c4` (or `single-c4`): the no-pyramid reference on the task's levels. */
function singleLevel(spec: string, levels: Levels, channels: number): PyramidGraph | undefined {
  const m = /^single(?:-level)?-c(\d)$/.exec(spec);
  if (!m) return undefined;
  const source = Number(m[1]);
  if (source < levels.min || source > levels.max)
    throw new EvaluateError('BAD_LEVELS', `--baselines ${spec}: C${source} is outside ${levelsText(levels)}`, {
      option: 'baselines',
    });
  return singleLevelGraph(source, levels, channels);
}

/** A baseline spec (zoo name, `zoo:name`, graph file, `single-level-cN`) projected onto the task. */
export async function baselineEntry(spec: string, levels: Levels, channels: number, cwd: string): Promise<EvalEntry> {
  let graph = singleLevel(spec, levels, channels);
  if (!graph) {
    const source = await resolveGraphSpec(spec, cwd);
    try {
      graph = projectGraph(source, { levels, channels });
    } catch (err) {
      if (!isUsageError(err)) throw err;
      throw new EvaluateError('BAD_LEVELS', `--baselines ${spec}: ${err.message}`, { option: 'baselines' });
    }
  }
  return { name: spec.replace(/^zoo:/, ''), role: 'baseline', source: spec, graph, hash: graphHash(graph) };
}

/** Graphs named on the command line: the first one's levels are the task's unless `levels` is given. */
export async function graphEntries(specs: string[], cwd: string, levels?: Levels): Promise<EvalEntry[]> {
  const out: EvalEntry[] = [];
  for (const spec of specs) {
    const graph = await resolveGraphSpec(spec, cwd);
    requireLevels(graph, levels ?? out[0]?.graph.levels ?? graph.levels, spec);
    out.push({
      name: graph.name,
      role: 'graph',
      source: spec,
      graph,
      hash: graphHash(graph),
      heldoutAP: heldoutApOf(graph),
    });
  }
  return out;
}

/**
 * Graphs and baselines together, each once: a baseline equal (by canonical hash) to a graph already listed
 * is dropped, and names are made unique.
 */
export function mergeEntries(graphs: EvalEntry[], baselines: EvalEntry[]): { entries: EvalEntry[]; dropped: string[] } {
  const seen = new Set<string>();
  const names = new Set<string>();
  const entries: EvalEntry[] = [];
  const dropped: string[] = [];
  for (const e of [...graphs, ...baselines]) {
    if (seen.has(e.hash)) {
      dropped.push(e.name);
      continue;
    }
    seen.add(e.hash);
    let name = e.name;
    for (let k = 2; names.has(name); k++) name = `${e.name}#${k}`;
    names.add(name);
    entries.push({ ...e, name });
  }
  return { entries, dropped };
}
