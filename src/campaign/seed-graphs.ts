// Warm start (`seedGraphs`): known pyramids the controller proposes first. Each spec (a zoo name or a graph
// file, src/graph/zoo.ts) is projected onto the space's levels when it covers more of them, takes the
// space's width and repeats (the proxy trains every graph at its own width anyway), and is encoded into
// the space (SearchSpace.encode). A graph that is not a point of the space, one over the campaign's
// constraints, or two seeds that are the same graph are errors that name the seed and say why (exit 2).
// The resolved seeds are journaled (in campaign-started), so a resumed campaign replays them without the files.
import type { SearchSpace } from '../../search-spaces/space.js';
import { graphHash } from '../graph/canonical.js';
import { projectGraph } from '../graph/project.js';
import type { PyramidGraph } from '../graph/types.js';
import { resolveGraphSpec } from '../graph/zoo.js';
import { CampaignConfigError, type ConfigIssue, type ResolvedCampaign } from './config.js';
import { campaignConstraint } from './constraints.js';
import type { SeedGraph } from './input-events.js';
import type { JournalEvent } from './journal.js';

/** The levels, width and repeats every graph of the space has. */
export function spaceShape(space: SearchSpace): Pick<PyramidGraph, 'levels' | 'channels' | 'repeats'> {
  const g = space.decode(space.sample(() => 0));
  return { levels: g.levels, channels: g.channels, repeats: g.repeats };
}

/** `graph` on the space's levels, width and repeats (projected when it covers more levels). */
export function fitToSpace(graph: PyramidGraph, space: SearchSpace): PyramidGraph {
  const shape = spaceShape(space);
  const same = graph.levels.min === shape.levels.min && graph.levels.max === shape.levels.max;
  const onLevels = same ? graph : projectGraph(graph, { levels: shape.levels });
  return { ...onLevels, channels: shape.channels, repeats: shape.repeats };
}

/** Why a graph on the space's shape is still not a point of it: the first difference a person can act on. */
function whyNotInSpace(graph: PyramidGraph, space: SearchSpace): string {
  const o = space.options as { cells?: number; ops?: readonly string[] };
  if (o.ops) {
    const foreign = graph.nodes.find((n) => !o.ops!.includes(n.op) && n.op !== 'sum');
    if (foreign)
      return `node "${foreign.id}" uses op "${foreign.op}", which the space does not offer (ops: ${o.ops.join(', ')})`;
  }
  if (o.cells !== undefined && graph.nodes.length < o.cells)
    return `it has ${graph.nodes.length} nodes, and every graph of this space has ${o.cells} cells`;
  return `no decision sequence of the ${space.name} space (options ${JSON.stringify(space.options)}) decodes to its nodes, inputs, levels, ops and posts`;
}

/**
 * The seeds of `config.seedGraphs` as points of `space`; every problem is a CampaignConfigError issue at
 * `$.seedGraphs[i]`, all of them reported at once.
 */
export async function resolveSeedGraphs(
  config: ResolvedCampaign,
  space: SearchSpace,
  file = 'campaign.json',
): Promise<SeedGraph[]> {
  const specs = config.seedGraphs ?? [];
  const constraint = campaignConstraint(config);
  const issues: ConfigIssue[] = [];
  const seeds: SeedGraph[] = [];
  const byHash = new Map<string, number>();
  for (let i = 0; i < specs.length; i++) {
    const path = `$.seedGraphs[${i}]`;
    const spec = specs[i];
    try {
      const fitted = fitToSpace(await resolveGraphSpec(spec), space);
      const decisions = space.encode(fitted);
      if (!decisions) {
        issues.push({
          path,
          message: `"${spec}" is not a point of the ${space.name} space: ${whyNotInSpace(fitted, space)}`,
        });
        continue;
      }
      const graph = space.decode(decisions);
      const hash = graphHash(graph);
      const over = constraint?.(graph);
      if (over !== undefined) {
        issues.push({ path, message: `"${spec}" is over the campaign's constraints: ${over}` });
        continue;
      }
      const twin = byHash.get(hash);
      if (twin !== undefined) {
        issues.push({ path, message: `"${spec}" is the same graph as seedGraphs[${twin}] ("${specs[twin]}")` });
        continue;
      }
      byHash.set(hash, i);
      seeds.push({ spec, decisions, hash });
    } catch (err) {
      issues.push({ path, message: namingSpec(spec, err) });
    }
  }
  if (issues.length) throw new CampaignConfigError(file, issues);
  return seeds;
}

/** The seeds a journal recorded in its campaign-started event (a resumed campaign proposes exactly these first). */
export function journaledSeeds(events: readonly JournalEvent[]): SeedGraph[] {
  const started = events[0];
  const seeds = started?.type === 'campaign-started' && Array.isArray(started.seeds) ? started.seeds : [];
  return seeds.map((s) => ({ ...s, decisions: [...s.decisions] }));
}

/** Installs the seeds in a controller; a campaign with seeds refuses a controller that cannot take them. */
export function warmStartController(
  controller: { kind: string; warmStart?(seeds: readonly (readonly number[])[]): void },
  seeds: readonly SeedGraph[],
  file = 'campaign.json',
): void {
  if (!seeds.length) return;
  if (!controller.warmStart)
    throw new CampaignConfigError(file, [
      { path: '$.seedGraphs', message: `controller "${controller.kind}" has no warm start (warmStart())` },
    ]);
  controller.warmStart(seeds.map((s) => s.decisions));
}

/** An error's message, led by the spec unless it already names it (a projection error names the graph). */
function namingSpec(spec: string, err: unknown): string {
  const message = (err as Error).message;
  return message.includes(`"${spec}"`) ? message : `"${spec}": ${message}`;
}
