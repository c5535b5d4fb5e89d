// The zod schema of pyramid-graph/1: shapes, types and the numeric limits of docs/graph-format.md. Rules that need
// the whole document (references, arity, outputs, dead nodes) live in validate.ts. The published JSON
// Schema (pyramid-graph-1.schema.json) is generated from this file by `npm run gen:schema`.
import { z } from 'zod';

import { FEEDBACK_FUSE, FUSION_OPS, GRAPH_FORMAT, GRAPH_LIMITS, POST_OPS } from './types.js';

/** Longest accepted graph name (untrusted input: names end up in pictures and tables). */
export const MAX_NAME_LENGTH = 256;

const level = z.number().int().min(GRAPH_LIMITS.minLevel).max(GRAPH_LIMITS.maxLevel);
const id = z.string().regex(GRAPH_LIMITS.idPattern);

export const graphNodeSchema = z.strictObject({
  id: id.describe('Unique node id; may not look like a backbone feature C<digits>.'),
  level: level.describe('Pyramid level of the node (feature stride 2^level).'),
  op: z.enum(FUSION_OPS).describe('How the (resampled) inputs are fused.'),
  inputs: z
    .array(id)
    .min(1)
    .max(GRAPH_LIMITS.maxFanIn)
    .describe('Backbone features C<l> (levels.min ≤ l ≤ levels.max) or ids of nodes listed earlier.'),
  post: z.enum(POST_OPS).describe('What runs after fusion.'),
});

export const pyramidGraphSchema = z
  .strictObject({
    format: z.literal(GRAPH_FORMAT),
    name: z.string().max(MAX_NAME_LENGTH),
    levels: z
      .strictObject({ min: level, max: level })
      .describe('Backbone inputs C<min>..C<max>; outputs P<min>..P<max>.'),
    channels: z.number().int().min(1).max(GRAPH_LIMITS.maxChannels),
    repeats: z.number().int().min(1).max(GRAPH_LIMITS.maxRepeats).describe('The cell is stacked this many times.'),
    nodes: z.array(graphNodeSchema).min(1).max(GRAPH_LIMITS.maxNodes),
    outputs: z.record(z.string(), id).describe('P<l> → node id, exactly one per level min..max.'),
    feedback: z
      .strictObject({
        steps: z.number().int().min(2).max(GRAPH_LIMITS.maxFeedbackSteps).describe('Backbone passes in all.'),
        from: z.record(z.string(), id).describe('C<l> → id of the node fed back into backbone level l.'),
        fuse: z.enum(FEEDBACK_FUSE).describe('gate: learned sigmoid mix with the previous pass; last: last pass.'),
      })
      .optional()
      .describe('Backbone feedback (Recursive Feature Pyramid): the backbone and the neck run `steps` times.'),
    meta: z.record(z.string(), z.unknown()).optional().describe('Free-form provenance; never part of the hash.'),
  })
  .describe('A feature-pyramid topology, pyramid-graph/1 (see docs/graph-format.md).');

/** The JSON Schema published next to this file (draft 2020-12). */
export function pyramidGraphJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(pyramidGraphSchema) as Record<string, unknown>;
  return { ...schema, title: 'pyramid-graph/1' };
}
