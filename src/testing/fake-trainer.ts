// A deterministic stand-in for trainAndEvaluate, so the campaign machinery (queues, journal, resume,
// faults) is tested without training: metrics = f(graph, proxy seed). Behaviours for fault tests are
// chosen per trial index from a spec (an object, or JSON in the env var PYRAMID_NAS_FAKE):
//   delayMs: number | [min, max]    time the "training" takes (in [min,max], fixed per graph)
//   nan: [indices]                   throw a NAN_LOSS training error (→ a 'failed' result)
//   throw: [indices]                 throw a plain Error every attempt (→ retried, then failed)
//   throwMessage: string             the message of those errors (default: fake transient failure in trial <id>)
//   crash: [indices]                 kill the process (process.exit) every attempt
//   crashOnceDir: path               with crash: crash only the first attempt (a marker file per trial)
//   hang: [indices]                  never finish (until aborted or the process is killed)
//   engineError: [indices]           throw a wasm RuntimeError ("memory access out of bounds") and leave this
//                                    process poisoned: every later trial in it fails the same way
//   rssMB: number                    keep this many more MB resident after each trial (a leaking process)
//   logDir: path                     append this process's pid to <logDir>/<trialId>.starts at each start
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { PyramidGraph } from '../graph/types.js';
import type { Trainer, TrainHooks, TrialMetrics, TrialRung } from '../trial/types.js';

export interface FakeSpec {
  delayMs?: number | [number, number];
  nan?: number[];
  throw?: number[];
  throwMessage?: string;
  crash?: number[];
  crashOnceDir?: string;
  hang?: number[];
  engineError?: number[];
  rssMB?: number;
  logDir?: string;
}

/** A stable digest of the parts of a graph that define it (meta excluded). */
function digest(graph: PyramidGraph, seed: number): Buffer {
  const { meta: _meta, ...rest } = graph;
  return createHash('sha256').update(JSON.stringify(rest)).update(`#${seed}`).digest();
}

/** The fake's metrics: a pure function of the graph and the proxy seed. */
export function fakeMetrics(graph: PyramidGraph, seed: number): TrialMetrics {
  const d = digest(graph, seed);
  const u = (i: number) => d.readUInt16BE(i * 2) / 65535;
  const AP = Math.round(u(0) * 0.5 * 1e6) / 1e6;
  return {
    AP,
    AP50: Math.min(1, AP * 1.6),
    AP75: AP * 0.9,
    APs: AP * 0.6,
    APm: AP,
    APl: Math.min(1, AP * 1.3),
    params: 10_000 + Math.floor(u(1) * 200_000),
    macs: 1_000_000 + Math.floor(u(2) * 50_000_000),
    trainSeconds: 0,
    evalSeconds: 0,
    backend: 'fake',
  };
}

class FakeTrainingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

export function fakeSpecFromEnv(env: NodeJS.ProcessEnv = process.env): FakeSpec {
  const raw = env.PYRAMID_NAS_FAKE;
  if (!raw) return {};
  try {
    return JSON.parse(raw) as FakeSpec;
  } catch {
    throw new Error(`PYRAMID_NAS_FAKE is not JSON: ${raw}`);
  }
}

/** What a wasm heap overrun looks like from JavaScript: WebAssembly.RuntimeError. */
function engineFailure(): Error {
  // (This project's TypeScript lib set does not declare the WebAssembly namespace.)
  const { RuntimeError } = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly;
  return new RuntimeError('memory access out of bounds');
}

export function createFakeTrainer(spec: FakeSpec = {}): Trainer {
  // Per trainer, i.e. per process in a pool child: a poisoned engine stays poisoned until the process goes.
  let poisoned = false;
  const retained: Buffer[] = [];
  return async (graph, proxy, hooks, job) => {
    if (spec.logDir) {
      mkdirSync(spec.logDir, { recursive: true });
      appendFileSync(join(spec.logDir, `${job.trialId}.starts`), `${process.pid}\n`);
    }
    if (poisoned) throw engineFailure();
    if (spec.engineError?.includes(job.index)) {
      poisoned = true;
      throw engineFailure();
    }
    if (spec.hang?.includes(job.index)) {
      await new Promise<never>((_resolve, reject) => {
        const signal = hooks.signal;
        if (signal?.aborted) reject(new Error('aborted'));
        signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    if (spec.rssMB) retained.push(Buffer.alloc(spec.rssMB * 1024 * 1024, 1)); // filled: the pages are resident
    const d = digest(graph, proxy.seed);
    const delay =
      typeof spec.delayMs === 'number'
        ? spec.delayMs
        : spec.delayMs
          ? spec.delayMs[0] + (d.readUInt16BE(8) / 65535) * (spec.delayMs[1] - spec.delayMs[0])
          : 0;
    const steps = 4;
    for (let step = 1; step <= steps; step++) {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay / steps));
      if (hooks.signal?.aborted) throw new Error('aborted');
      if (step === 2 && spec.crash?.includes(job.index)) {
        const marker = spec.crashOnceDir ? join(spec.crashOnceDir, `${job.trialId}.crashed`) : undefined;
        if (!marker || !existsSync(marker)) {
          if (marker) {
            mkdirSync(spec.crashOnceDir!, { recursive: true });
            writeFileSync(marker, String(process.pid));
          }
          process.exit(70); // a worker process dying mid-trial
        }
      }
      hooks.onProgress?.({ step, steps, loss: 1 / step, imagesPerSecond: 1000 });
    }
    if (spec.nan?.includes(job.index))
      throw new FakeTrainingError('NAN_LOSS', `loss became NaN at step 3 of trial ${job.trialId}`);
    if (spec.throw?.includes(job.index))
      throw new Error(spec.throwMessage ?? `fake transient failure in trial ${job.trialId}`);
    if (job.rung) return fakeRung(graph, proxy.seed, proxy.steps, job.rung, hooks);
    return fakeMetrics(graph, proxy.seed);
  };
}

/**
 * The fake's metrics after `steps` of a `total`-step run: the full run's AP scaled by how far training got,
 * plus noise that shrinks as the rung grows, so low rungs rank graphs like the full run, but not exactly.
 */
export function fakeRungMetrics(graph: PyramidGraph, seed: number, steps: number, total: number): TrialMetrics {
  const full = fakeMetrics(graph, seed);
  const d = createHash('sha256').update(digest(graph, seed)).update(`@${steps}`).digest();
  const progress = Math.min(1, steps / total);
  const noise = (d.readUInt16BE(0) / 65535 - 0.5) * 0.2 * (1 - progress);
  const AP = Math.round(Math.max(0, full.AP * Math.sqrt(progress) + noise) * 1e6) / 1e6;
  return { ...full, AP, steps, stepsTrained: steps };
}

/** A rung job: checks that its checkpoint is the one the rung below handed over, and hands one on. */
function fakeRung(graph: PyramidGraph, seed: number, total: number, rung: TrialRung, hooks: TrainHooks): TrialMetrics {
  const tag = digest(graph, seed).toString('hex').slice(0, 16);
  const from = rung.checkpoint?.step ?? 0;
  if (rung.checkpoint && rung.checkpoint.graph !== tag)
    throw new FakeTrainingError('BAD_CHECKPOINT', `checkpoint of graph ${String(rung.checkpoint.graph)}, not ${tag}`);
  if (rung.steps < total) hooks.onCheckpoint?.({ format: 'fake-train-state/1', step: rung.steps, graph: tag });
  return { ...fakeRungMetrics(graph, seed, rung.steps, total), stepsTrained: rung.steps - from };
}
