// Where one frozen-backbone training step spends its time: the step's wall/CPU time and images/s (medians of
// plain steps), then steps with every kernel call timed: milliseconds inside kernels (customGrad ops
// included), the rest ("outside any kernel": gradient-tape bookkeeping, tensor creation and disposal,
// JavaScript between ops), the optimizer update, and calls and exclusive time per kernel.
//
//   npm run bench:step -- [--sizes 64,128] [--paths unfused,fused] [--reps 15] [--profiles 9]
//                          [--train-images 256] [--graph search-spaces/zoo/fpn.graph.json] [--top 10]
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../src/backend/index.js';
import { parseGraph } from '../src/graph/index.js';
import type { TrainSession } from '../src/train/index.js';
import { resolveProxyTask } from '../src/trial/proxy-task.js';
import { benchSession, median, timeIt } from './train-step.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = flag('--sizes', '64,128').split(',').map(Number);
const reps = Number(flag('--reps', '15'));
const profiles = Number(flag('--profiles', '9'));
const trainImages = Number(flag('--train-images', '256'));
const graphFile = flag('--graph', 'search-spaces/zoo/fpn.graph.json');
const top = Number(flag('--top', '10'));
// Kernel spans on the wall clock: process.cpuUsage() per call costs more than the smaller kernels take.
const now = () => performance.now();
// `unfused` trains through the per-op reference forms (RunOptions.unfusedOps): the step as it was before the
// fused ops, measured in the same process.
const paths = flag('--paths', 'unfused,fused')
  .split(',')
  .map((p) => p === 'unfused');
const parsed = parseGraph(JSON.parse(readFileSync(graphFile, 'utf8')));
if (!parsed.ok) throw new Error(`${graphFile} is invalid`);

const backend = (await initBackend('wasm')).name;

/** Times the session's optimizer updates (whatever optimizer it has: both expose applyGradients). */
function timeOptimizer(s: TrainSession): { ms: number } {
  const opt = (s as unknown as { optimizer: { applyGradients: (...a: unknown[]) => unknown } }).optimizer;
  const total = { ms: 0 };
  const apply = opt.applyGradients.bind(opt);
  opt.applyGradients = (...a: unknown[]) => {
    const t0 = now();
    const r = apply(...a);
    total.ms += now() - t0;
    return r;
  };
  return total;
}

interface Calls {
  /** Calls at any depth (a project kernel built from other kernels counts them too). */
  n: number;
  /** Exclusive milliseconds: this call's time less that of the kernels it ran. */
  ms: number;
}

interface StepProfile {
  /** The whole step, on the chosen clock. */
  wallMs: number;
  /** Time inside outermost kernel calls (registered kernels and customGrad ops alike). */
  kernelMs: number;
  optimizerMs: number;
  calls: Map<string, Calls>;
}

type KernelParams = { kernelName?: string };
const engine = tf.engine() as unknown as { runKernelFunc: (p: KernelParams) => unknown };
const runKernelFunc = engine.runKernelFunc.bind(engine);

/**
 * One step with every kernel call timed (tf.profile cannot tell nested calls apart, and project kernels and
 * customGrad ops run other kernels). customGrad ops appear as `customGrad:<scope name>`.
 */
function profileStep(s: TrainSession, optimizer: { ms: number }): StepProfile {
  const calls = new Map<string, Calls>();
  const stack: number[] = [];
  let kernelMs = 0;
  const scopeName = () =>
    (tf.engine() as unknown as { state: { activeScope: { name: string } | null } }).state.activeScope?.name ?? '';
  engine.runKernelFunc = (p) => {
    const name = p.kernelName ?? `customGrad:${scopeName()}`;
    stack.push(0);
    const t0 = now();
    try {
      return runKernelFunc(p);
    } finally {
      const ms = now() - t0;
      const children = stack.pop()!;
      if (stack.length) stack[stack.length - 1] += ms;
      else kernelMs += ms;
      const e = calls.get(name) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += ms - children;
      calls.set(name, e);
    }
  };
  optimizer.ms = 0;
  const t0 = now();
  try {
    s.step();
  } finally {
    delete (engine as { runKernelFunc?: unknown }).runKernelFunc;
  }
  return { wallMs: now() - t0, kernelMs, optimizerMs: optimizer.ms, calls };
}

for (const size of sizes)
  for (const unfusedOps of paths) {
    const task = resolveProxyTask({ backend: 'wasm', imageSize: size, trainImages });
    const s = await benchSession(parsed.graph, task, { unfusedOps });
    try {
      const optimizer = timeOptimizer(s);
      for (let i = 0; i < 3; i++) s.step();
      const t = timeIt(reps, () => s.step());
      const stepMs = median(t.wall) * 1000;
      const stepCpuMs = median(t.cpu) * 1000;
      const runs: StepProfile[] = [];
      for (let i = 0; i < profiles; i++) runs.push(profileStep(s, optimizer));
      const mid = <K extends keyof StepProfile>(key: K) => median(runs.map((r) => r[key] as number));
      const kernelMs = mid('kernelMs');
      const optimizerMs = mid('optimizerMs');
      const profiledMs = mid('wallMs');
      const last = runs[runs.length - 1];
      const nCalls = [...last.calls.values()].reduce((a, e) => a + e.n, 0);
      const B = task.batchSize;
      console.log(
        `\n## ${unfusedOps ? 'unfused' : 'fused'} ops: ${parsed.graph.name}, ${size} px, batch ${B}, frozen backbone, ${backend}`,
      );
      console.log(
        `step ${stepMs.toFixed(1)} ms wall / ${stepCpuMs.toFixed(1)} ms CPU (median of ${reps}): ` +
          `${(B / (stepMs / 1000)).toFixed(0)} / ${(B / (stepCpuMs / 1000)).toFixed(0)} images/s (wall / CPU)`,
      );
      const outside = median(runs.map((r) => r.wallMs - r.kernelMs));
      console.log(
        `timed-kernel step (median of ${profiles}) ${profiledMs.toFixed(1)} ms: inside kernels ${kernelMs.toFixed(1)} ms ` +
          `(${nCalls} calls), outside any kernel ${outside.toFixed(1)} ms; optimizer update ${optimizerMs.toFixed(1)} ms`,
      );
      const counts = (name: string) => last.calls.get(name)?.n ?? 0;
      console.log(
        `calls: Multiply ${counts('Multiply')}, Identity ${counts('Identity')}, SplitV ${counts('SplitV')}, Concat ${counts('Concat')}, ` +
          `Reshape ${counts('Reshape')}, Cast ${counts('Cast')}; SplitV ${median(runs.map((r) => r.calls.get('SplitV')?.ms ?? 0)).toFixed(1)} ms`,
      );
      console.log(`| kernel | calls | exclusive ms (median of ${profiles}) |`);
      console.log('|---|---|---|');
      const rows = [...last.calls.entries()]
        .map(([name, e]) => [name, e.n, median(runs.map((r) => r.calls.get(name)?.ms ?? 0))] as const)
        .sort((a, b) => b[2] - a[2])
        .slice(0, top);
      for (const [name, n, ms] of rows) console.log(`| ${name} | ${n} | ${ms.toFixed(2)} |`);
    } finally {
      s.dispose();
    }
  }
