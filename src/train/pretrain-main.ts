// Makes the checkpoint of a pre-trained proxy backbone (src/train/weights/). Usage:
//   npm run pretrain:backbone -- [--backbone NAME] [--data DIR] [--steps N] [--out FILE] [--every N]
// NAME is a variant of backbone-weights.ts (default: the default variant); --data is the dataset's folder.
// Deterministic for a backend: same seed, same weights.
import { singleLevelGraph } from '../detector/index.js';
import type { PyramidGraph } from '../graph/index.js';
import { resolveGraphSpec } from '../graph/zoo.js';
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

/** A variant's pre-training neck: `single-level-c<l>`, else a zoo graph by name. */
async function pretrainNeck(neck: string): Promise<PyramidGraph> {
  const single = /^single-level-c(\d)$/.exec(neck);
  return single ? singleLevelGraph(Number(single[1]), { min: 3, max: 7 }, 32) : resolveGraphSpec(neck);
}

await pretrainBackbone({
  graph: await pretrainNeck(variant.pretrainNeck),
  task: {
    ...variant.pretrainTask,
    backboneWeights: variant.name,
    ...(arg('--steps') ? { steps: Number(arg('--steps')) } : {}),
    ...(arg('--data') ? { dataDir: arg('--data') } : {}),
  },
  out: arg('--out') ?? variant.file,
  every: Number(arg('--every') ?? 500),
});
