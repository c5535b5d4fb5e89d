// The trainer of an evaluation run in this process: the real one (trainAndEvaluate, scored on the test
// split), or the trainer PYRAMID_NAS_TRAINER names when it names another (the deterministic stand-in `fake`
// of tests), as the campaigns' trial processes and an evaluation's pool children choose theirs, so an
// evaluation or a whole study runs end to end without training, at any concurrency. The stand-in is given
// the job a pool child would be given (its scoring included), so it scores each seed the same either way.
import { loadTrainer } from '../../workers/trainers.js';
import type { EvalTrainer } from './run.js';

export async function evalTrainer(env: NodeJS.ProcessEnv = process.env): Promise<EvalTrainer> {
  const name = env.PYRAMID_NAS_TRAINER ?? 'tfjs';
  if (name === 'tfjs') {
    const { trainAndEvaluate } = await import('../train/index.js');
    return (graph, proxy, hooks, scoring) => trainAndEvaluate(graph, proxy, hooks, scoring);
  }
  const trainer = await loadTrainer(env);
  return (graph, proxy, hooks, scoring) =>
    trainer(graph, proxy, hooks, {
      campaign: 'evaluation',
      trialId: `${graph.name}-test-${scoring.firstRun}`,
      index: scoring.firstRun,
      graph,
      proxy,
      scoring,
    });
}
