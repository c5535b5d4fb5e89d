// What bench:train and bench:peer share: medians, per-call wall/CPU timing, and a training session whose
// frozen-backbone feature cache is filled before timing.
import * as tf from '@tensorflow/tfjs-core';

import { openDataset } from '../src/data/open.js';
import type { PyramidGraph } from '../src/graph/types.js';
import { proxyGraph, TrainSession } from '../src/train/index.js';
import type { RunOptions } from '../src/train/session.js';
import type { ProxyTaskConfig } from '../src/trial/proxy-task.js';

export const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Wall seconds and CPU seconds (user + system of this process) per call. On a shared machine the CPU time is
 * what one core spent (wasm runs on one thread), the wall time includes waiting for the core. */
export function timeIt(n: number, f: () => void): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

/**
 * A training session of `graph` on `task`. Frozen: the features of every train image are computed first (as in
 * a worker after its first trial), so timed steps do not include backbone passes for images they see first.
 */
export async function benchSession(
  graph: PyramidGraph,
  task: ProxyTaskConfig,
  options: RunOptions = {},
): Promise<TrainSession> {
  const dataset = await openDataset(task);
  const s = new TrainSession(proxyGraph(graph, task), task, dataset, options);
  if (task.backbone === 'pretrained') {
    const train = dataset.split('train');
    for (let i = 0; i < train.count; i += 256) {
      const block = Array.from({ length: Math.min(256, train.count - i) }, (_, k) => i + k);
      tf.dispose([...s.featureCache('train').batch(s.detector, train, block).values()]);
    }
  }
  return s;
}
