// Backbone pre-training for the proxy (as NAS-FPN's proxy starts from a pre-trained ResNet): train the
// whole detector with a fixed FPN neck on `shapes` images of a dedicated seed (never a trial's data), then
// keep only the backbone's weights and BN statistics. Trials load them and train neck + head only.
import { initBackend } from '../backend/index.js';
import { writeFileAtomic } from '../campaign/atomic.js';
import { openDataset } from '../data/open.js';
import { exportCheckpoint } from '../detector/index.js';
import type { PyramidGraph } from '../graph/types.js';
import { type ProxyTaskInput, resolveProxyTask } from '../trial/proxy-task.js';
import { evaluateSplit } from './evaluate.js';
import { proxyGraph, TrainSession } from './session.js';

export interface PretrainOptions {
  graph: PyramidGraph;
  task: ProxyTaskInput;
  out: string;
  /** Write a checkpoint every this many steps as well (same file). */
  every?: number;
  log?: (line: string) => void;
}

export async function pretrainBackbone(o: PretrainOptions): Promise<void> {
  const task = resolveProxyTask({ ...o.task, backbone: 'scratch' });
  const backend = await initBackend(task.backend);
  const dataset = await openDataset(task);
  const session = new TrainSession(proxyGraph(o.graph, task), task, dataset);
  const log = o.log ?? ((l: string) => console.error(l));
  const t0 = performance.now();
  const save = async (step: number, withAp: boolean) => {
    const stats = withAp
      ? await evaluateSplit(session.detector, dataset, dataset.split('heldout'), task.evalBatchSize)
      : undefined;
    const meta = {
      made: 'pretrainBackbone',
      graph: o.graph.name,
      step,
      task,
      backend: backend.name,
      heldoutAP: stats?.AP,
      seconds: Math.round((performance.now() - t0) / 1000),
    };
    // Atomic (a checkpoint is rewritten every `every` steps; a crash must not leave half of one) and never under /proc, /sys or /dev.
    writeFileAtomic(o.out, JSON.stringify(exportCheckpoint(session.detector.store, 'backbone', meta)));
    log(
      `checkpoint at step ${step}${stats ? `: held-out AP ${stats.AP.toFixed(4)} AP50 ${stats.AP50.toFixed(4)}` : ''} → ${o.out}`,
    );
  };
  try {
    let acc = 0;
    for (let i = 0; i < task.steps; i++) {
      acc += session.step();
      if ((i + 1) % 50 === 0) {
        log(
          `step ${i + 1}/${task.steps} loss ${(acc / 50).toFixed(4)} ${((performance.now() - t0) / 1000).toFixed(0)}s`,
        );
        acc = 0;
      }
      if (o.every && (i + 1) % o.every === 0 && i + 1 < task.steps) await save(i + 1, true);
    }
    await save(task.steps, true);
  } finally {
    session.dispose();
  }
}
