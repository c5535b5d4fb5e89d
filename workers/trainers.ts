// The trainer registry, and the one a worker process uses: PYRAMID_NAS_TRAINER names it (default tfjs, the
// real trainer of src/train on TensorFlow.js; fake, the deterministic stand-in of tests and the chaos
// benchmark, its behaviour from PYRAMID_NAS_FAKE; noop, validation and the result envelope only, for the
// queue benchmark). The real trainer is imported lazily so fake-trainer processes never load TensorFlow.js.
// A job scored on the test split (`evaluate`'s, job.scoring) is trained as such by each of them.
import { z } from 'zod';

import { createFakeTrainer, fakeSpecFromEnv } from '../src/testing/fake-trainer.js';
import type { ProxyTaskConfig } from '../src/trial/proxy-task.js';
import type { Trainer, TrialScoring } from '../src/trial/types.js';
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

const datasetSalt = (name: string) => [...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 1_000_003, 7);

/**
 * The proxy a stand-in trainer scores a test-split job with. The stand-in's metrics are a function of the
 * graph and the proxy seed, so each evaluation seed, dataset and budget gets a seed of its own; the same
 * for an evaluation trained in process or in a pool child.
 */
export function fakeScoredProxy(proxy: ProxyTaskConfig, scoring: TrialScoring): ProxyTaskConfig {
  return {
    ...proxy,
    seed: 1_000_003 * (proxy.seed + 1) + 101 * datasetSalt(proxy.dataset) + scoring.firstRun + proxy.steps,
  };
}

/** A stand-in that scores a test-split job on its own seed (fakeScoredProxy). */
function scoredStandIn(fake: Trainer): Trainer {
  return (graph, proxy, hooks, job) => {
    const p = job.scoring ? fakeScoredProxy(proxy, job.scoring) : proxy;
    return fake(graph, p, hooks, job.scoring ? { ...job, proxy: p } : job);
  };
}

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
        job.rung
          ? train.trainRung(graph, proxy, hooks, job.rung)
          : train.trainAndEvaluate(graph, proxy, hooks, job.scoring);
    },
  })
  .register('fake', {
    description: 'deterministic metrics from the graph, with faults chosen per trial by PYRAMID_NAS_FAKE (tests)',
    optionsSchema: noOptions,
    create: async (_o, { env }) => scoredStandIn(createFakeTrainer(fakeSpecFromEnv(env))),
  })
  .register('noop', {
    description: 'the fake without delays or faults: validation and the result envelope only (queue benchmark)',
    optionsSchema: noOptions,
    create: async () => scoredStandIn(createFakeTrainer({})),
  });

/** The trainer PYRAMID_NAS_TRAINER names in `env` (default tfjs). */
export async function loadTrainer(env: NodeJS.ProcessEnv = process.env): Promise<Trainer> {
  return trainers.create(env.PYRAMID_NAS_TRAINER ?? 'tfjs', {}, { env });
}
