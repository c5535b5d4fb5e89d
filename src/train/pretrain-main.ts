// Makes the checkpoint of a pre-trained proxy backbone (src/train/weights/). Usage:
//   npm run pretrain:backbone -- [--backbone NAME] [--data DIR] [--steps N] [--out FILE] [--every N]
// NAME is a variant of backbone-weights.ts (default: the default variant); --data is the dataset's folder.
// Deterministic for a backend: same seed, same weights.
import { readFileSync } from 'node:fs';

import { singleLevelGraph } from '../detector/index.js';
import { parseGraph, type PyramidGraph } from '../graph/index.js';
import {
  BACKBONE_VARIANTS,
  backboneVariant,
  type BackboneVariantName,
  DEFAULT_BACKBONE_VARIANT,
} from './backbone-weights.js';
import { pretrainBackbone } from './pretrain.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const name = arg('--backbone') ?? DEFAULT_BACKBONE_VARIANT;
if (!(name in BACKBONE_VARIANTS)) {
  console.error(`--backbone: unknown variant ${name}; one of ${Object.keys(BACKBONE_VARIANTS).join(', ')}`);
  process.exit(2);
}
const variant = backboneVariant(name as BackboneVariantName);

function pretrainNeck(neck: string): PyramidGraph {
  const single = /^single-level-c(\d)$/.exec(neck);
  if (single) return singleLevelGraph(Number(single[1]), { min: 3, max: 7 }, 32);
  const r = parseGraph(
    JSON.parse(readFileSync(new URL(`../../search-spaces/zoo/${neck}.graph.json`, import.meta.url), 'utf8')),
  );
  if (!r.ok) throw new Error(`zoo ${neck} graph is invalid`);
  return r.graph;
}

await pretrainBackbone({
  graph: pretrainNeck(variant.pretrainNeck),
  task: {
    ...variant.pretrainTask,
    backboneWeights: variant.name,
    ...(arg('--steps') ? { steps: Number(arg('--steps')) } : {}),
    ...(arg('--data') ? { dataDir: arg('--data') } : {}),
  },
  out: arg('--out') ?? variant.file,
  every: Number(arg('--every') ?? 500),
});
