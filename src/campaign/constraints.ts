// A campaign's hard cost constraints (`constraints`: maxMacs, maxParams). A graph is measured with the cost
// model (src/graph/cost.ts) as the proxy trains it: at the proxy's width, with its repeats capped, at the
// proxy's input size, so the limit is on the same figures a trial reports. Controllers re-draw a graph
// over the limit before proposing it (ProposalBook.admits), and the campaign checks every proposal once
// more before it is journaled or queued: a graph over the limit is never trained.
import type { Controller } from '../../controllers/types.js';
import { graphCost } from '../graph/cost.js';
import type { PyramidGraph } from '../graph/types.js';
import { PyramidNasError } from '../util/errors.js';
import type { ResolvedCampaign } from './config.js';

export type Constraints = NonNullable<ResolvedCampaign['constraints']>;

/** The proxy's MACs and params of a graph: its own nodes at the proxy's width, repeats and input size. */
export function proxyCostOf(graph: PyramidGraph, proxy: ResolvedCampaign['proxy']): { macs: number; params: number } {
  const shaped = { ...graph, channels: proxy.channels, repeats: Math.min(graph.repeats, proxy.maxRepeats) };
  const { macs, params } = graphCost(shaped, { inputSize: proxy.imageSize });
  return { macs, params };
}

/** Why `graph` is over the limits (e.g. "MACs 3.10e6 > constraints.maxMacs 2.00e6"), or undefined. */
export function constraintViolation(
  graph: PyramidGraph,
  constraints: Constraints,
  proxy: ResolvedCampaign['proxy'],
): string | undefined {
  const cost = proxyCostOf(graph, proxy);
  const over: string[] = [];
  if (constraints.maxMacs !== undefined && cost.macs > constraints.maxMacs)
    over.push(`MACs ${cost.macs.toExponential(3)} > constraints.maxMacs ${constraints.maxMacs.toExponential(3)}`);
  if (constraints.maxParams !== undefined && cost.params > constraints.maxParams)
    over.push(`params ${cost.params} > constraints.maxParams ${constraints.maxParams}`);
  return over.length ? over.join(', ') : undefined;
}

/** The campaign's constraint check, or undefined when it has none. */
export function campaignConstraint(
  config: ResolvedCampaign,
): ((graph: PyramidGraph) => string | undefined) | undefined {
  const { constraints } = config;
  return constraints ? (graph) => constraintViolation(graph, constraints, config.proxy) : undefined;
}

/**
 * The controller with the campaign's constraints installed, and a guard that refuses any proposal still
 * over them (a controller that ignored them): it fails the campaign rather than train the graph.
 */
export function constrainedController(controller: Controller, config: ResolvedCampaign): Controller {
  const why = campaignConstraint(config);
  if (!why) return controller;
  if (!controller.constrain)
    throw new PyramidNasError(
      'BAD_CAMPAIGN',
      `controller "${controller.kind}" cannot honour "constraints" (it has no constrain()); remove them or use random, evolution, pareto-evolution or rl`,
      { usage: true, where: { path: '$.constraints' } },
    );
  controller.constrain(why);
  const ask = controller.ask.bind(controller);
  controller.ask = async () => {
    const p = await ask();
    const over = why(p.graph);
    if (over !== undefined)
      throw new PyramidNasError(
        'CONSTRAINTS_BROKEN',
        `controller "${controller.kind}" proposed #${p.index} ${p.hash.slice(0, 12)} over the constraints (${over}); it was not trained`,
      );
    return p;
  };
  return controller;
}
