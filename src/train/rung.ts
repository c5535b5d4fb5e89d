// One rung of successive halving (docs/campaigns.md, "Successive halving"): train a graph from step 0, or
// from a checkpoint, up to the rung's step of the proxy task's full run (its learning-rate schedule is the
// full run's, so a rung is a snapshot of that run), hand the state at that step to `hooks.onCheckpoint`
// (unless the rung is the full run), then score the held-out split. One training run per trial: a
// checkpoint continues one run.
import { initBackend } from '../backend/index.js';
import { openDataset } from '../data/open.js';
import { graphCost, parseGraph, PROXY_BACKBONE_CHANNELS } from '../graph/index.js';
import type { PyramidGraph } from '../graph/types.js';
import { type ProxyTaskConfig, type ProxyTaskInput, resolveProxyTask } from '../trial/proxy-task.js';
import type { TrainHooks, TrialMetrics, TrialRung } from '../trial/types.js';
import { loadTrainState, saveTrainState, trainStateSchema } from './checkpoint-state.js';
import { TrainError } from './errors.js';
import { proxyGraph, TrainSession } from './session.js';

/** Trains `graph` through one rung; the metrics carry `steps` (the step reached) and `stepsTrained` (this job's). */
export async function trainRung(
  graph: PyramidGraph,
  proxy: ProxyTaskConfig | ProxyTaskInput,
  hooks: TrainHooks,
  rung: TrialRung,
): Promise<TrialMetrics> {
  const task = resolveProxyTask(proxy);
  const parsed = parseGraph(graph);
  if (!parsed.ok)
    throw new TrainError(
      'BAD_GRAPH',
      `invalid graph: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  let from = 0;
  let state;
  if (rung.checkpoint !== undefined) {
    const r = trainStateSchema.safeParse(rung.checkpoint);
    if (!r.success) throw new TrainError('BAD_CHECKPOINT', `checkpoint is not a training state: ${r.error.message}`);
    state = r.data;
    from = state.step;
  }
  if (task.runs !== 1)
    throw new TrainError('BAD_CHECKPOINT', `a rung continues one training run; the proxy task has runs ${task.runs}`);
  if (!(from < rung.steps && rung.steps <= task.steps))
    throw new TrainError(
      'BAD_CHECKPOINT',
      `rung ${rung.rung} trains to step ${rung.steps} from step ${from}; it must be after the checkpoint and at most the proxy's ${task.steps} steps`,
    );
  const g = proxyGraph(parsed.graph, task);
  const started = performance.now();
  const backend = await initBackend(task.backend);
  hooks.onBackend?.(backend);
  const dataset = await openDataset(task);
  if (dataset.split('train').count === 0 || dataset.split('heldout').count === 0)
    throw new TrainError('EMPTY_DATASET', `dataset ${dataset.name} has an empty train or held-out split`);
  const cost = graphCost(g, { inputSize: task.imageSize, backboneChannels: PROXY_BACKBONE_CHANNELS });
  const session = new TrainSession(g, task, dataset, { run: 0 });
  try {
    if (state) await loadTrainState(session, state);
    const loopStart = performance.now();
    for (let i = from; i < rung.steps; i++) {
      if (hooks.signal?.aborted) throw new TrainError('ABORTED', `training aborted at step ${i}`, i);
      const loss = session.step();
      hooks.onProgress?.({
        step: i + 1,
        steps: rung.steps,
        loss,
        imagesPerSecond: ((i + 1 - from) * task.batchSize) / Math.max((performance.now() - loopStart) / 1000, 1e-9),
      });
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    // Before evaluation: precise BN and the evaluation pass change statistics the next rung must not see.
    if (rung.steps < task.steps) hooks.onCheckpoint?.(await saveTrainState(session));
    const trainSeconds = (performance.now() - started) / 1000;
    const evalStart = performance.now();
    session.recalibrateBatchNorm(task.preciseBnBatches);
    const stats = await session.evaluate('heldout');
    const macs = session.detector.countMacs();
    return {
      AP: stats.AP,
      AP50: stats.AP50,
      AP75: stats.AP75,
      APs: stats.APs,
      APm: stats.APm,
      APl: stats.APl,
      params: cost.params,
      macs: cost.macs,
      trainSeconds,
      evalSeconds: (performance.now() - evalStart) / 1000,
      backend: backend.name,
      modelParams: session.detector.params(),
      modelMacs: macs.backbone + macs.neck + macs.head,
      steps: rung.steps,
      stepsTrained: rung.steps - from,
      rung: rung.rung,
      runs: 1,
      imageSize: task.imageSize,
      channels: g.channels,
      repeats: g.repeats,
    };
  } finally {
    session.dispose();
  }
}
