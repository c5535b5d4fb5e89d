// The proxy task a trial trains and evaluates on (docs/proxy-task.md): its zod schema and defaults. A
// campaign resolves it (every default filled in) and hashes it into the job's identity; the worker
// validates the job's copy with the same schema, so both sides agree on every key. Unknown keys are rejected.
import { z } from 'zod';

import { PyramidNasError } from '../util/errors.js';
import { issuesText, type PathIssue, zodIssues } from '../util/zod-issues.js';

const int = (lo: number, hi: number) => z.number().int().min(lo).max(hi);

export const proxyTaskSchema = z.strictObject({
  /** Built-in procedural `shapes` by default. */
  dataset: z.enum(['shapes', 'fashion-mnist-scenes', 'coco']).default('shapes'),
  dataDir: z.string().min(1).optional(),
  /** Square input side; 64 keeps a trial under a minute on one core. */
  imageSize: int(16, 1024).default(64),
  steps: int(1, 1_000_000).default(600),
  batchSize: int(1, 1024).default(32),
  /** Neck width used for every graph (full-size widths are too slow for a proxy). */
  channels: int(1, 4096).default(32),
  /** Cap on graph.repeats (NAS-FPN's ×7 is too slow for a proxy). */
  maxRepeats: int(1, 16).default(2),
  trainImages: int(1, 10_000_000).default(8192),
  heldoutImages: int(1, 10_000_000).default(1024),
  seed: z.number().int().default(0),
  /**
   * Independent trainings per trial on the same data and held-out split: run r draws its weights and batch
   * order from seed + RUN_SEED_STRIDE·r (src/train/config.ts); every metric is the mean over runs. A short
   * proxy's ranking is limited by seed noise, and averaging is the cheapest cut of it (docs/proxy-task.md).
   */
  runs: int(1, 16).default(1),
  backend: z.enum(['tensorflow', 'wasm', 'cpu']).optional(),
  /** Adam's peak learning rate (linear warm-up, then cosine decay to 0). */
  learningRate: z.number().positive().max(1).default(0.01),
  /** Warm-up steps; default 10% of `steps`. */
  warmupSteps: int(0, 1_000_000).optional(),
  /** Anchor scales per location (1–3), × 3 aspect ratios. */
  anchorScales: int(1, 3).default(3),
  /**
   * Anchor side as a multiple of the stride. RetinaNet uses 4; at a 64 px proxy that makes P3's anchors half
   * the image and P5–P7 useless, so the proxy uses 2 (P3 16 px … P5 64 px):
   * docs/proxy-task.md, "The proxy detector".
   */
  anchorSize: z.number().min(0.5).max(16).default(2),
  /** `shapes` only (dataset difficulty): smallest object side in pixels, and the most objects per image. */
  minObjectSize: z.number().min(1).max(1024).default(8),
  maxObjects: int(1, 100).default(4),
  /**
   * `pretrained`: load the backbone checkpoint (src/train/weights/) and keep it frozen, training neck + head
   * only; `scratch`: train everything from random weights.
   */
  backbone: z.enum(['pretrained', 'scratch']).default('pretrained'),
  /**
   * Which pre-trained backbone (architecture + checkpoint, src/train/backbone-weights.ts) a `pretrained`
   * task loads. A resolved task stored before the key existed ran on `shapes-fpn`: read stored tasks
   * through storedProxyTask().
   */
  backboneWeights: z.enum(['shapes-deep', 'shapes-fpn', 'shapes-deep-c5', 'fashion-deep']).default('shapes-deep'),
  /** Hidden 3×3 conv layers in each head subnet. */
  headDepth: int(0, 4).default(1),
  evalBatchSize: int(1, 1024).default(32),
  /** Largest global L2 norm of a step's gradient (scaled down beyond it); 0 = no clipping. */
  clipGradNorm: z.number().min(0).max(1e6).default(0),
  /** Train batches whose average moments replace BN's moving statistics before evaluation ("precise BN"); 0 = off. */
  preciseBnBatches: int(0, 10_000).default(0),
});

/** A fully resolved proxy task: what a TrialJob carries and the trainer runs. */
export type ProxyTaskConfig = z.output<typeof proxyTaskSchema>;

/** @deprecated The same type as ProxyTaskConfig (its earlier name), kept for existing imports. */
export type ProxyTask = ProxyTaskConfig;

/** Input accepted by the trainer: any subset of the keys, the rest from the defaults. */
export type ProxyTaskInput = z.input<typeof proxyTaskSchema>;

export type ProxyDatasetName = ProxyTaskConfig['dataset'];

export const DEFAULT_PROXY_TASK: Readonly<ProxyTaskConfig> = Object.freeze(proxyTaskSchema.parse({}));

export class ProxyTaskError extends PyramidNasError {
  constructor(
    message: string,
    readonly issues: PathIssue[],
  ) {
    super('BAD_PROXY_TASK', message, { usage: true, where: issues.length > 0 ? { path: issues[0].path } : {} });
    this.name = 'ProxyTaskError';
  }
}

/** Validate and fill defaults; errors name the offending key as a JSON path. */
export function resolveProxyTask(input: ProxyTaskInput | ProxyTaskConfig | undefined): ProxyTaskConfig {
  // `undefined` values (e.g. backend: undefined) mean "default", not "invalid".
  const clean = Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined));
  const r = proxyTaskSchema.safeParse(clean);
  if (r.success) return r.data;
  const issues = zodIssues(r.error);
  throw new ProxyTaskError(`invalid proxy task: ${issuesText(issues)}`, issues);
}

/** The backbone every task ran on before `backboneWeights` existed. */
export const LEGACY_BACKBONE_WEIGHTS = 'shapes-fpn';

/**
 * A proxy task as stored by an earlier run (a journal's config, an evaluation file, a results row), ready for
 * resolveProxyTask: a stored task is fully resolved, so one without `backboneWeights` was written before the
 * key existed and ran on the backbone that was the only one then, `shapes-fpn`.
 */
export function storedProxyTask<T>(stored: T): T {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return stored;
  return 'backboneWeights' in stored ? stored : { ...stored, backboneWeights: LEGACY_BACKBONE_WEIGHTS };
}
