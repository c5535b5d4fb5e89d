// Cost figures together with the shape they belong to. A trial's params and MACs are measured on the
// proxy's version of its graph: the proxy's width (proxy.channels), repeats capped at proxy.maxRepeats,
// at proxy.imageSize. That is not the graph a user takes away, which keeps its own width and repeats. So
// a figure never travels without its channels, repeats and input size, and an exported graph carries
// both: the proxy's (what the search measured and the reward used) and the cost model's at the graph's
// own width.
import { graphCost } from '../graph/cost.js';
import type { PyramidGraph } from '../graph/types.js';
import type { ProxyTaskConfig } from '../trial/proxy-task.js';
import type { TrialMetrics } from '../trial/types.js';

/**
 * Params and MACs of the neck (the cost model of src/graph/cost.ts: backbone projections, with the proxy
 * backbone's channel counts, plus repeats × the cell) at the stated width, repeats and square input side.
 */
export interface LabelledCost {
  scope: 'neck';
  channels: number;
  repeats: number;
  imageSize: number;
  macs: number;
  params: number;
}

/** The proxy's figure, with the cap the proxy puts on repeats. */
export interface ProxyCost extends LabelledCost {
  repeatsCap: number;
}

/** The shape a campaign's proxy trains every graph at. */
export interface ProxyShape {
  channels: number;
  repeatsCap: number;
  imageSize: number;
}

export function proxyShape(proxy: Pick<ProxyTaskConfig, 'channels' | 'maxRepeats' | 'imageSize'>): ProxyShape {
  return { channels: proxy.channels, repeatsCap: proxy.maxRepeats, imageSize: proxy.imageSize };
}

/** The label shown next to proxy cost figures (status, the search summary, the dashboard). */
export function proxyShapeText(s: ProxyShape): string {
  return `neck at the proxy's width: ${s.channels} channels, repeats capped at ${s.repeatsCap}, ${s.imageSize}×${s.imageSize} input`;
}

/**
 * A trial's measured costs, labelled. The trainer reports the shape it trained (channels, repeats,
 * imageSize in its metrics); results journaled before it did fall back to the campaign's proxy config.
 */
export function proxyCost(
  proxy: Pick<ProxyTaskConfig, 'channels' | 'maxRepeats' | 'imageSize'>,
  graph: Pick<PyramidGraph, 'repeats'>,
  metrics: TrialMetrics,
): ProxyCost {
  const reported = (k: string): number | undefined =>
    typeof metrics[k] === 'number' && Number.isFinite(metrics[k]) ? (metrics[k] as number) : undefined;
  return {
    scope: 'neck',
    channels: reported('channels') ?? proxy.channels,
    repeats: reported('repeats') ?? Math.min(graph.repeats, proxy.maxRepeats),
    repeatsCap: proxy.maxRepeats,
    imageSize: reported('imageSize') ?? proxy.imageSize,
    macs: metrics.macs,
    params: metrics.params,
  };
}

/** The cost model's figures for the graph at its own width and repeats, at the given input side. */
export function fullWidthCost(graph: PyramidGraph, imageSize: number): LabelledCost {
  const c = graphCost(graph, { inputSize: imageSize });
  return { scope: 'neck', channels: graph.channels, repeats: graph.repeats, imageSize, macs: c.macs, params: c.params };
}
