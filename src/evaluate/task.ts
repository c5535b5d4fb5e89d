// The task an evaluation trains every entry on: the campaign's proxy task (or the defaults, for graphs
// named on the command line) with the steps multiplied by the budget, scored on the test split. Its hash
// keys the journal, so records made under another task are never reused.
import { createHash } from 'node:crypto';

import { canonicalJsonText } from '../trial/identity.js';
import {
  LEGACY_BACKBONE_WEIGHTS,
  type ProxyTaskConfig,
  type ProxyTaskInput,
  resolveProxyTask,
} from '../trial/proxy-task.js';

export interface EvaluationTask {
  /** The resolved proxy task each training runs (steps already × budget; warm-up scaled with it). */
  proxy: ProxyTaskConfig;
  budget: number;
  /** Trainings per entry: seed k trains run k (weights and batch order), on the same data. */
  seeds: number;
  testImages: number;
  /** sha256 of everything above that changes a training's result (not `seeds`: more seeds extend). */
  hash: string;
}

export interface TaskInput {
  base: ProxyTaskConfig | ProxyTaskInput;
  budget: number;
  seeds: number;
  /** Default: as many as the task's held-out split. */
  testImages?: number;
}

export function evaluationTask(input: TaskInput): EvaluationTask {
  const base = resolveProxyTask(input.base);
  // One training per record: `runs` would average seeds inside a record, and seeds are ours to count.
  const proxy = resolveProxyTask({
    ...base,
    steps: base.steps * input.budget,
    warmupSteps: base.warmupSteps === undefined ? undefined : base.warmupSteps * input.budget,
    runs: 1,
  });
  const testImages = input.testImages ?? base.heldoutImages;
  const hash = createHash('sha256')
    .update(canonicalJsonText({ proxy: hashedProxy(proxy), testImages, split: 'test' }))
    .digest('hex');
  return { proxy, budget: input.budget, seeds: input.seeds, testImages, hash };
}

/**
 * The proxy task as the hash sees it. `shapes-fpn` was the only backbone before `backboneWeights` existed, so
 * a task on it drops the key: its hash stays the one it had then, and the evaluation journals written before
 * keep their records. Any other backbone keeps the key, so its records never mix with shapes-fpn ones.
 */
function hashedProxy(proxy: ProxyTaskConfig): Partial<ProxyTaskConfig> {
  if (proxy.backboneWeights !== LEGACY_BACKBONE_WEIGHTS) return proxy;
  const { backboneWeights: _backboneWeights, ...rest } = proxy;
  return rest;
}
