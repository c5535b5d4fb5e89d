// Public surface of the graph module: the format, parsing with typed errors, the canonical hash, the cost
// model and the renderers.
export * from './types.js';
export * from './issues.js';
export { pyramidGraphSchema, graphNodeSchema, pyramidGraphJsonSchema, MAX_NAME_LENGTH } from './schema.js';
export { parseGraph, MIN_ARITY, MAX_ARITY, type ParseResult } from './validate.js';
export { parseGraphFile, parseGraphText } from './parse-file.js';
export { liveNodeIds, backboneLevel } from './live.js';
export { canonicalize, canonicalJson, graphHash, attentionOrder } from './canonical.js';
export {
  graphCost,
  featureSide,
  fullScaleCost,
  fullScaleText,
  FULL_SCALE,
  PROXY_BACKBONE_CHANNELS,
  type FullScaleCost,
  type CostOptions,
  type GraphCost,
  type NodeCost,
  type ProjectionCost,
} from './cost.js';
export { renderDot } from './render-dot.js';
export { renderMermaid } from './render-mermaid.js';
export { renderSvg } from './render-svg.js';
export { OP_COLORS, escapeXml } from './render-common.js';
export { projectGraph, type ProjectionTarget } from './project.js';
export { resolveGraphSpec, zooNames, ZOO_DIR } from './zoo.js';
