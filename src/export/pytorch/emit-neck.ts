// A pyramid graph as one standalone PyTorch file: `PyramidNeck(in_channels, out_channels)` whose forward
// is one statement per live node (the node id in a comment), the graph's hash and provenance in the
// docstring, a weight loader, and the framework adapters (adapters.ts). The function is the proxy
// detector's neck (src/detector/pyramid.ts): one projection per backbone level the first copy reads,
// `repeats` copies with their own weights, copy k>0 reading copy k−1's outputs wherever the graph names C<l>.
import { fullScaleCost, graphHash } from '../../graph/index.js';
import { backboneLevel, liveNodeIds } from '../../graph/live.js';
import type { GraphNode, PyramidGraph } from '../../graph/types.js';
import { PyramidNasError } from '../../util/errors.js';
import { ADAPTERS_PY } from './adapters.js';
import { docstringText, nodeAttr, nodeVar, pyString } from './python-text.js';
import { LOADER_PY, RUNTIME_PY } from './runtime.py.js';
import { WEIGHTS_FORMAT } from './weights.js';

/** Where the generated file came from, for its docstring. */
export interface EmitOptions {
  /** e.g. `pyramid-nas codegen search-spaces/zoo/fpn.graph.json`. */
  generatedBy?: string;
}

function fusionModule(node: GraphNode): string {
  const n = node.inputs.length;
  switch (node.op) {
    case 'sum':
      return 'Sum()';
    case 'mean':
      return 'Mean()';
    case 'attention':
      return 'GlobalAttention()';
    case 'weighted':
      return `Weighted(${n})`;
    case 'concat':
      return `Concat(${n}, C)`;
    case 'adaptive':
      return `Adaptive(${n}, C)`;
    case 'self-attention':
    case 'cross-attention':
      return 'PositionAttention(C)';
    default: {
      const op: never = node.op;
      throw new PyramidNasError(
        'CODEGEN_UNSUPPORTED_OP',
        `node ${node.id}: no PyTorch form for fusion op ${String(op)}`,
      );
    }
  }
}

function postModule(node: GraphNode): string {
  return node.post === 'conv' ? 'ConvPost(C)' : node.post === 'sepconv' ? 'SepConvPost(C)' : 'nn.Identity()';
}

/** The live nodes in graph order with each input's level. */
function liveWithLevels(graph: PyramidGraph): Array<{ node: GraphNode; levels: number[] }> {
  const live = liveNodeIds(graph);
  const levelOf = new Map(graph.nodes.map((n) => [n.id, n.level]));
  return graph.nodes
    .filter((n) => live.has(n.id))
    .map((node) => ({ node, levels: node.inputs.map((ref) => backboneLevel(ref) ?? levelOf.get(ref)!) }));
}

/** The expression of one input, resampled to the node's level. */
function inputExpr(ref: string, from: number, to: number): string {
  const l = backboneLevel(ref);
  const x = l !== undefined ? `c${l}` : nodeVar(ref);
  if (from === to) return x;
  return from < to ? `_down(${x}, ${2 ** (to - from)})` : `_up(${x}, ${2 ** (from - to)}, s${to})`;
}

/** Backbone levels read by the live nodes (projected once, for the first copy). */
export function projectedLevels(graph: PyramidGraph): number[] {
  const levels = new Set<number>();
  for (const { node } of liveWithLevels(graph))
    for (const ref of node.inputs) {
      const l = backboneLevel(ref);
      if (l !== undefined) levels.add(l);
    }
  return [...levels].sort((a, b) => a - b);
}

function cellClass(graph: PyramidGraph): string {
  const { min, max } = graph.levels;
  const nodes = liveWithLevels(graph);
  const levels = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const init = nodes.map(({ node }) => {
    const doc = `${node.id}: level ${node.level}, ${node.op} of ${node.inputs.join(', ')}, post ${node.post}`;
    return `        self.${nodeAttr(node.id)} = Node(${fusionModule(node)}, ${postModule(node)})  # ${doc}`;
  });
  const body = nodes.map(({ node, levels: from }) => {
    // attention reads [f, g] with g the coarser input (on a tie, inputs[1]), as the proxy does.
    let order = node.inputs.map((_, i) => i);
    if (node.op === 'attention') order = from[0] > from[1] ? [1, 0] : [0, 1];
    const args = order.map((i) => inputExpr(node.inputs[i], from[i], node.level)).join(', ');
    return `        ${nodeVar(node.id)} = self.${nodeAttr(node.id)}([${args}])  # ${node.id}`;
  });
  const outs = levels.map((l) => nodeVar(graph.outputs[`P${l}`]));
  return [
    'class Cell(nn.Module):',
    `    """One copy of the cell (${nodes.length} live nodes). \`c\` holds the inputs C${min}..C${max}: the projected`,
    "    backbone features in the first copy, the previous copy's outputs after it; `like` holds the backbone",
    '    features, whose sides fix each level\'s side (odd sides included)."""',
    '',
    '    def __init__(self, channels: int):',
    '        super().__init__()',
    '        C = channels',
    ...init,
    '',
    '    def forward(self, c: List[Tensor], like: List[Tensor]) -> List[Tensor]:',
    `        ${levels.map((l) => `c${l}`).join(', ')} = ${levels.map((_, i) => `c[${i}]`).join(', ')}`,
    `        ${levels.map((l) => `s${l}`).join(', ')} = ${levels.map((_, i) => `like[${i}]`).join(', ')}`,
    ...body,
    `        return [${outs.join(', ')}]`,
  ].join('\n');
}

function neckClass(graph: PyramidGraph, docstring: string): string {
  const { min, max } = graph.levels;
  const n = max - min + 1;
  const proj = projectedLevels(graph);
  const feats = Array.from({ length: n }, (_, i) =>
    proj.includes(min + i) ? `self.proj_C${min + i}(feats[${i}])` : `feats[${i}]`,
  );
  return [
    'class PyramidNeck(nn.Module):',
    docstring,
    '',
    `    def __init__(self, in_channels: List[int], out_channels: int = ${graph.channels}):`,
    '        super().__init__()',
    `        if len(in_channels) != ${n}:`,
    '            raise ValueError(',
    `                f"in_channels: expected ${n} widths, one per level C${min}..C${max}, got {list(in_channels)}"`,
    '            )',
    '        self.in_channels = list(in_channels)',
    '        self.out_channels = out_channels',
    ...proj.map(
      (l) =>
        `        self.proj_C${l} = Projection(in_channels[${l - min}], out_channels)  # C${l}, read by the first copy`,
    ),
    `        self.cells = nn.ModuleList([Cell(out_channels) for _ in range(${graph.repeats})])`,
    '',
    '    def forward(self, feats: List[Tensor]) -> List[Tensor]:',
    `        """C${min}..C${max} (NCHW, finest first) in, P${min}..P${max} out, each with out_channels channels."""`,
    `        if len(feats) != ${n}:`,
    `            raise ValueError("expected ${n} feature maps, C${min}..C${max}")`,
    `        c = [${feats.join(', ')}]`,
    '        for cell in self.cells:',
    '            c = cell(c, feats)',
    '        return c',
  ].join('\n');
}

function provenanceLines(graph: PyramidGraph): string[] {
  const meta = graph.meta ?? {};
  const keys = Object.keys(meta);
  if (keys.length === 0) return ["    Provenance: none recorded in the graph's meta."];
  return [
    "    Provenance (the graph's meta):",
    ...keys.map((k) => `      ${docstringText(`${k}: ${JSON.stringify(meta[k])}`)}`),
  ];
}

/**
 * A graph the neck module cannot express. Backbone feedback (Recursive Feature Pyramid) runs the backbone
 * again on the neck's outputs: that is a backbone + neck model, not a neck a framework plugs in.
 */
export function unsupportedReason(graph: PyramidGraph): string | undefined {
  if ((graph as { feedback?: unknown }).feedback !== undefined)
    return "it has backbone feedback (the backbone runs again on the neck's outputs), which a neck module cannot express";
  return undefined;
}

/** The generated Python source of one graph (expects a valid graph: parseGraph). */
export function emitPytorchNeck(graph: PyramidGraph, options: EmitOptions = {}): string {
  const why = unsupportedReason(graph);
  if (why)
    throw new PyramidNasError('CODEGEN_UNSUPPORTED', `graph ${JSON.stringify(graph.name)}: no PyTorch neck: ${why}`, {
      usage: true,
    });
  const { min, max } = graph.levels;
  const hash = graphHash(graph);
  const full = fullScaleCost(graph);
  const live = liveNodeIds(graph).size;
  const doc = [
    `    """The feature pyramid ${docstringText(JSON.stringify(graph.name))} (pyramid-graph/1), generated by pyramid-nas.`,
    '',
    `    Graph hash (sha256 of the canonical form): ${hash}`,
    `    Levels C${min}..C${max} in, P${min}..P${max} out (strides ${2 ** min}..${2 ** max}); ${live} live nodes;`,
    `    the cell is stacked ${graph.repeats}x with its own weights; graph width ${graph.channels} channels.`,
    `    Cost: ${full.params.toLocaleString('en-US')} params, ${full.macs.toLocaleString('en-US')} MACs at`,
    `    ${full.setting}.`,
    ...(options.generatedBy ? [`    Generated by: ${docstringText(options.generatedBy)}`] : []),
    ...provenanceLines(graph),
    '',
    '    Same function as the neck pyramid-nas trains (TensorFlow.js): 1x1 conv + BN projections, max-pool down',
    '    and nearest-neighbour up with "same" size rules, the fusion ops and post-ops above; BN epsilon 1e-3.',
    '    """',
  ].join('\n');
  return [
    '# Generated by pyramid-nas from a pyramid-graph/1 graph. Needs only torch; the mmdetection and detectron2',
    '# adapters at the end import those libraries only when they are installed.',
    `"""PyTorch neck ${docstringText(JSON.stringify(graph.name))} (pyramid-graph/1 ${hash.slice(0, 12)}): see PyramidNeck."""`,
    'import math',
    'from collections import OrderedDict',
    'from typing import Dict, List',
    '',
    'import torch',
    'import torch.nn.functional as F',
    'from torch import Tensor, nn',
    '',
    `GRAPH_NAME = ${pyString(graph.name)}`,
    `GRAPH_HASH = ${pyString(hash)}`,
    `MIN_LEVEL = ${min}`,
    `MAX_LEVEL = ${max}`,
    `WEIGHTS_FORMAT = ${pyString(WEIGHTS_FORMAT)}`,
    RUNTIME_PY,
    '',
    cellClass(graph),
    '',
    '',
    neckClass(graph, doc),
    '',
    LOADER_PY,
    ADAPTERS_PY,
  ].join('\n');
}
