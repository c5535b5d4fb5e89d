// The project's frozen-backbone training step against the same step in PyTorch (bench/peer/torch_step.py,
// one thread), in interleaved rounds. The PyTorch side gets this project's graph, one real batch of backbone
// features and anchor targets, and the initial neck/head weights; it checks that its params and MACs equal the
// project's (exit 1 when not) and reports its first losses beside ours. Without an importable torch it says
// so and exits 0.
//
//   npm run bench:peer -- [--sizes 64,128] [--rounds 5] [--steps 5] [--losses 10] [--train-images 1024]
//                         [--graph search-spaces/zoo/fpn.graph.json] [--python /usr/bin/python3]
//                         [--native-threads 1,2] [--unfused]
//
// With the oneDNN addon built (npm run build:native) the project's step is timed both ways in the same rounds:
// on the wasm kernels alone (the native kernels switched off) and on the native kernels, once per count of
// --native-threads (oneDNN's OpenMP threads; default 1).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend, setNativeKernels } from '../src/backend/index.js';
import { loadNativeAddon } from '../src/backend/native.js';
import type { BatchNormStat } from '../src/detector/index.js';
import { assignTargets, detectionLoss, Detector, targetTensors, updateMovingStats } from '../src/detector/index.js';
import { PROXY_BACKBONE_CHANNELS } from '../src/graph/cost.js';
import { parseGraph } from '../src/graph/index.js';
import { liveNodeIds } from '../src/graph/live.js';
import { backboneVariant } from '../src/train/backbone-weights.js';
import type { TrainSession } from '../src/train/index.js';
import { resolveProxyTask } from '../src/trial/proxy-task.js';
import { benchSession, median, timeIt } from './train-step.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = flag('--sizes', '64,128').split(',').map(Number);
const rounds = Number(flag('--rounds', '5'));
const steps = Number(flag('--steps', '5'));
const lossSteps = Number(flag('--losses', '10'));
// The project's step through the per-op reference forms (RunOptions.unfusedOps), for a before/after ratio.
const unfusedOps = args.includes('--unfused');
const trainImages = Number(flag('--train-images', '1024'));
const graphFile = flag('--graph', 'search-spaces/zoo/fpn.graph.json');
const nativeThreads = flag('--native-threads', '1').split(',').map(Number);
const script = 'bench/peer/torch_step.py';

/** The first Python that imports torch: --python, then Debian's (python3-torch), then the one on PATH. */
function findPython(): string | undefined {
  const candidates = args.includes('--python') ? [flag('--python', '')] : ['/usr/bin/python3', 'python3'];
  return candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}
const python = findPython();
if (!python) {
  console.log('bench:peer: no python that can import torch (tried /usr/bin/python3, python3): skipped');
  process.exit(0);
}
const parsed = parseGraph(JSON.parse(readFileSync(graphFile, 'utf8')));
if (!parsed.ok) throw new Error(`${graphFile} is invalid`);
await initBackend('wasm');
const native = loadNativeAddon();

/** The ways the project's step is timed: wasm kernels only, then native at each thread count (when built). */
interface Variant {
  label: string;
  use: () => Promise<void>;
}
const variants: Variant[] = [
  {
    label: native.loaded ? 'project, wasm kernels' : 'project (wasm)',
    use: async () => void (await setNativeKernels(false)),
  },
];
if (native.loaded) {
  for (const n of nativeThreads) {
    variants.push({
      label: `project, native oneDNN ${n} thread${n === 1 ? '' : 's'}`,
      use: async () => {
        await setNativeKernels(true);
        native.addon.setThreads(n);
      },
    });
  }
} else {
  console.log(`bench:peer: ${native.reason}: timing the wasm kernels only`);
}
const best = variants[variants.length - 1];
await best.use();

/** Everything torch_step.py needs for one image size; the tensors go to a raw float32 file. */
function describe(s: TrainSession, dir: string) {
  const d = s.detector;
  const B = s.task.batchSize;
  const split = s.dataset.split('train');
  const idx = Array.from({ length: B }, (_, i) => i);
  const features = s.featureCache('train').batch(d, split, idx);
  const t = assignTargets(
    idx.map((i) => split.get(i).boxes),
    d.anchors,
    d.numClasses,
  );
  const tensors: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
  for (const [l, f] of features)
    tensors.push({ name: `feature/${l}`, shape: f.shape, data: f.dataSync() as Float32Array });
  tensors.push(
    { name: 'target/cls', shape: [B, t.anchors, t.numClasses], data: t.cls },
    { name: 'target/clsWeight', shape: [B, t.anchors, 1], data: t.clsWeight },
    { name: 'target/box', shape: [B, t.anchors, 4], data: t.box },
    { name: 'target/positive', shape: [B, t.anchors, 1], data: t.positive },
  );
  for (const e of d.store.trainable)
    if (e.group !== 'backbone')
      tensors.push({ name: `weight/${e.label}`, shape: e.variable.shape, data: e.variable.dataSync() as Float32Array });
  const dataFile = join(dir, `peer-${d.inputSize}.bin`);
  writeFileSync(
    dataFile,
    Buffer.concat(tensors.map((x) => Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength))),
  );
  const macs = d.countMacs();
  const description = {
    imageSize: d.inputSize,
    graph: { ...s.graph, live: [...liveNodeIds(s.graph)] },
    backboneChannels: PROXY_BACKBONE_CHANNELS,
    numClasses: d.numClasses,
    anchorsPerLocation: d.anchors.perLocation,
    headDepth: s.task.headDepth,
    learningRate: s.task.learningRate,
    normalizer: Math.max(1, t.numPositive),
    dataFile,
    tensors: tensors.map(({ name, shape }) => ({ name, shape })),
    expect: { params: d.params('neck') + d.params('head'), macs: macs.neck + macs.head },
  };
  return { description, features, targets: targetTensors(t) };
}

/** The project's first losses on the fixed batch, from fresh weights (same seed) at the task's learning rate. */
function projectLosses(s: TrainSession, batch: ReturnType<typeof describe>, n: number): number[] {
  const det = new Detector(s.graph, {
    inputSize: s.task.imageSize,
    numClasses: s.detector.numClasses,
    seed: s.task.seed,
    anchorScales: s.task.anchorScales,
    anchorSizePerStride: s.task.anchorSize,
    headDepth: s.task.headDepth,
    // The same backbone stages as the session's: weights are drawn in creation order, backbone first, so
    // other stages would give the neck and head other initial weights than the ones PyTorch was sent.
    backboneBlocks: backboneVariant(s.task.backboneWeights).blocks,
  });
  const opt = tf.train.adam(s.task.learningRate);
  const losses: number[] = [];
  for (let i = 0; i < n; i++) {
    const stats: BatchNormStat[] = [];
    const loss = opt.minimize(
      () => detectionLoss(det.forwardFeatures(batch.features, { training: true, bnStats: stats }), batch.targets).total,
      true,
      det.store.variables(['neck', 'head']),
    )!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
    updateMovingStats(stats);
  }
  opt.dispose();
  det.dispose();
  return losses;
}

const dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-peer-'));
const sessions = new Map<number, TrainSession>();
const batches = new Map<number, ReturnType<typeof describe>>();
try {
  for (const size of sizes) {
    const task = resolveProxyTask({ backend: 'wasm', imageSize: size, trainImages });
    const s = await benchSession(parsed.graph, task, { unfusedOps });
    sessions.set(size, s);
    batches.set(size, describe(s, dir));
  }
  const descFile = join(dir, 'peer.json');
  writeFileSync(descFile, JSON.stringify({ models: [...batches.values()].map((b) => b.description) }));
  const child = spawn(python, [script, descFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (cmd?: string): Promise<Record<string, unknown>> => {
    if (cmd) child.stdin.write(`${cmd}\n`);
    const next = await lines.next();
    if (next.done) throw new Error(`${script} ended without answering ${cmd ?? 'its checks'}`);
    return JSON.parse(next.value) as Record<string, unknown>;
  };
  const hello = await ask();
  if (hello.unavailable) {
    console.log(`bench:peer: ${String(hello.unavailable)}: skipped`);
    process.exit(0);
  }
  console.log(
    `graph ${parsed.graph.name}; PyTorch ${String(hello.torch)} (${python}), ${String(hello.threads)} thread`,
  );
  let mismatch = false;
  for (const c of hello.checks as Array<{ imageSize: number; params: number; macs: number }>) {
    const e = batches.get(c.imageSize)!.description.expect;
    const ok = c.params === e.params && c.macs === e.macs;
    mismatch ||= !ok;
    console.log(
      `${c.imageSize} px: params ${e.params} (PyTorch ${c.params}), MACs/image ${e.macs} (PyTorch ${c.macs}) ${ok ? 'equal' : 'DIFFER'}`,
    );
  }
  if (mismatch) {
    console.error('bench:peer: the PyTorch replica is not the same model');
    process.exit(1);
  }
  for (const size of sizes) {
    if (lossSteps <= 0) break;
    const ours = projectLosses(sessions.get(size)!, batches.get(size)!, lossSteps);
    const theirs = (await ask(`losses ${size} ${lossSteps}`)).losses as number[];
    const worst = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i]) / Math.abs(v)));
    console.log(
      `${size} px: first ${lossSteps} losses on one batch, largest relative difference ${(worst * 100).toFixed(3)}%`,
    );
    console.log(
      `  project ${ours.map((v) => v.toFixed(4)).join(' ')}\n  PyTorch ${theirs.map((v) => v.toFixed(4)).join(' ')}`,
    );
  }
  // Warm-up on every side (kernels, primitives, Adam slots), then rounds rotating which side goes first.
  const perRound = new Map(
    sizes.map((size) => [size, { ours: variants.map(() => [] as number[]), theirs: [] as number[] }]),
  );
  for (const size of sizes) {
    for (const v of variants) {
      await v.use();
      for (let i = 0; i < 3; i++) sessions.get(size)!.step();
    }
    await ask(`time ${size} 3`);
  }
  for (let r = 0; r < rounds; r++) {
    for (const size of sizes) {
      const s = sessions.get(size)!;
      const B = s.task.batchSize;
      const row = perRound.get(size)!;
      const sides = [
        ...variants.map((v, i) => async () => {
          await v.use();
          row.ours[i].push(B / median(timeIt(steps, () => s.step()).wall));
        }),
        async () => void row.theirs.push(B / median((await ask(`time ${size} ${steps}`)).seconds as number[])),
      ];
      for (let k = 0; k < sides.length; k++) await sides[(k + r) % sides.length]();
    }
  }
  await best.use();
  child.stdin.end();
  console.log(`\nbatch ${sessions.get(sizes[0])!.task.batchSize}, medians over ${rounds} rounds of ${steps} steps`);
  console.log(
    `| px | ${variants.map((v) => `${v.label} images/s`).join(' | ')} | PyTorch images/s (1 thread) | ` +
      `${variants.map((v) => `${v.label} / PyTorch`).join(' | ')} |`,
  );
  console.log(`|---|${variants.map(() => '---|---|').join('')}---|`);
  for (const [size, row] of perRound) {
    const a = row.ours.map(median);
    const b = median(row.theirs);
    console.log(
      `| ${size} | ${a.map((v) => v.toFixed(0)).join(' | ')} | ${b.toFixed(0)} | ` +
        `${a.map((v) => `${(v / b).toFixed(2)}×`).join(' | ')} |`,
    );
  }
} finally {
  for (const s of sessions.values()) s.dispose();
  for (const b of batches.values()) {
    tf.dispose([...b.features.values()]);
    tf.dispose([b.targets.cls, b.targets.clsWeight, b.targets.box, b.targets.positive]);
  }
  rmSync(dir, { recursive: true, force: true });
}
