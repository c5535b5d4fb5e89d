// The trainer registry, and the one a worker process uses: PYRAMID_NAS_TRAINER names it (default tfjs, the
// real trainer of src/train on TensorFlow.js; fake, the deterministic stand-in of tests and the chaos
// benchmark, its behaviour from PYRAMID_NAS_FAKE; noop, validation and the result envelope only, for the
// queue benchmark). The real trainer is imported lazily so fake-trainer processes never load TensorFlow.js.
import { z } from 'zod';

import { createFakeTrainer, fakeSpecFromEnv } from '../src/testing/fake-trainer.js';
import type { Trainer } from '../src/trial/types.js';
import { OptionsError } from '../src/util/options.js';
import { Registry, UnknownNameError } from '../src/util/registry.js';

export interface TrainerContext {
  /** The worker's environment (the fake reads its spec from PYRAMID_NAS_FAKE). */
  env: NodeJS.ProcessEnv;
}

/** "a, b or c" */
function either(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

const noOptions = z.strictObject({});

export const trainers = new Registry<Promise<Trainer>, TrainerContext>({
  what: 'trainer',
  nameKey: 'PYRAMID_NAS_TRAINER',
  mapError: (err: OptionsError) =>
    err instanceof UnknownNameError
      ? new Error(`PYRAMID_NAS_TRAINER must be ${either(err.known)} (got "${err.unknownName}")`)
      : err,
})
  .register('tfjs', {
    description: 'the real trainer: trains and evaluates the detector on the proxy task with TensorFlow.js',
    optionsSchema: noOptions,
    create: async () => {
      const train = await import('../src/train/index.js');
      // A successive-halving job trains one rung (from its checkpoint); any other job, the whole proxy task.
      return (graph, proxy, hooks, job) =>
        job.rung ? train.trainRung(graph, proxy, hooks, job.rung) : train.trainAndEvaluate(graph, proxy, hooks);
    },
  })
  .register('fake', {
    description: 'deterministic metrics from the graph, with faults chosen per trial by PYRAMID_NAS_FAKE (tests)',
    optionsSchema: noOptions,
    create: async (_o, { env }) => createFakeTrainer(fakeSpecFromEnv(env)),
  })
  .register('noop', {
    description: 'the fake without delays or faults: validation and the result envelope only (queue benchmark)',
    optionsSchema: noOptions,
    create: async () => createFakeTrainer({}),
  });

/** The trainer PYRAMID_NAS_TRAINER names in `env` (default tfjs). */
export async function loadTrainer(env: NodeJS.ProcessEnv = process.env): Promise<Trainer> {
  return trainers.create(env.PYRAMID_NAS_TRAINER ?? 'tfjs', {}, { env });
}
