// Picks the trainer a worker process uses: the real one (src/train, TensorFlow.js), or the deterministic
// fake when PYRAMID_NAS_TRAINER=fake (tests and the queue benchmark). The real trainer is imported lazily
// so fake-trainer processes never load TensorFlow.js.
import type { Trainer } from './trial-processor.js';
import { createFakeTrainer, fakeSpecFromEnv } from './fake-trainer.js';

export async function loadTrainer(env: NodeJS.ProcessEnv = process.env): Promise<Trainer> {
  const which = env.PYRAMID_NAS_TRAINER ?? 'tfjs';
  if (which === 'fake') return createFakeTrainer(fakeSpecFromEnv(env));
  if (which === 'noop') {
    // The benchmark's no-op processor: validation and the result envelope only.
    return createFakeTrainer({});
  }
  if (which !== 'tfjs') throw new Error(`PYRAMID_NAS_TRAINER must be tfjs, fake or noop (got "${which}")`);
  const train = await import('../src/train/index.js');
  return (graph, proxy, hooks) => train.trainAndEvaluate(graph, proxy, hooks);
}
