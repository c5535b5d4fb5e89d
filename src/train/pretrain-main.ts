// Makes the backbone checkpoint the proxy task loads (src/train/weights/). Usage:
//   npx tsx src/train/pretrain-main.ts [--steps N] [--out FILE]
// Deterministic for a backend: same seed, same weights.
import { readFileSync } from 'node:fs';

import { parseGraph } from '../graph/index.js';
import { BACKBONE_CHECKPOINT, PRETRAIN_TASK } from './backbone-weights.js';
import { pretrainBackbone } from './pretrain.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const r = parseGraph(
  JSON.parse(readFileSync(new URL('../../search-spaces/zoo/fpn.graph.json', import.meta.url), 'utf8')),
);
if (!r.ok) throw new Error('zoo fpn graph is invalid');
await pretrainBackbone({
  graph: r.graph,
  task: { ...PRETRAIN_TASK, ...(arg('--steps') ? { steps: Number(arg('--steps')) } : {}) },
  out: arg('--out') ?? BACKBONE_CHECKPOINT,
  every: Number(arg('--every') ?? 500),
});
