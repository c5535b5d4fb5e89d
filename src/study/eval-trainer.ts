// The trainer of the study's evaluation step: the real one (trainAndEvaluate, scored on the test split), or
// the trainer PYRAMID_NAS_TRAINER names when it names another (the deterministic stand-in `fake` of tests),
// as the campaigns' trial processes choose theirs, so a whole study runs end to end without training. The
// stand-in scores a graph from its proxy seed, so each evaluation seed and dataset gets a seed of its own.
import { loadTrainer } from '../../workers/trainers.js';
import type { EvalTrainer } from '../evaluate/run.js';

const datasetSalt = (name: string) => [...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 1_000_003, 7);

export async function studyEvalTrainer(env: NodeJS.ProcessEnv = process.env): Promise<EvalTrainer> {
  const name = env.PYRAMID_NAS_TRAINER ?? 'tfjs';
  if (name === 'tfjs') {
    const { trainAndEvaluate } = await import('../train/index.js');
    return (graph, proxy, hooks, scoring) => trainAndEvaluate(graph, proxy, hooks, scoring);
  }
  const trainer = await loadTrainer(env);
  return (graph, proxy, hooks, scoring) => {
    const seeded = {
      ...proxy,
      seed: 1_000_003 * (proxy.seed + 1) + 101 * datasetSalt(proxy.dataset) + scoring.firstRun + proxy.steps,
    };
    const job = {
      campaign: 'evaluation',
      trialId: `${graph.name}-test-${scoring.firstRun}`,
      index: scoring.firstRun,
      graph,
      proxy: seeded,
    };
    return trainer(graph, seeded, hooks, job);
  };
}
