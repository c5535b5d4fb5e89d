// Training speed of the proxy detector per available backend: train images/s, achieved GFLOP/s
// (forward + backward ≈ 3 × forward, forward = 2 × MACs), forward-only GFLOP/s, and the wall time of one
// default proxy trial. Medians over timed repetitions.
//
//   npm run bench:train -- [--backends wasm,cpu] [--reps 15] [--trial wasm] [--graph search-spaces/zoo/fpn.graph.json]
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../src/backend/index.js';
import { parseGraph } from '../src/graph/index.js';
import { imagesToFloat } from '../src/train/batches.js';
import { trainAndEvaluate } from '../src/train/index.js';
import { DEFAULT_PROXY_TASK, resolveProxyTask } from '../src/trial/proxy-task.js';
import { benchSession, median, timeIt } from './train-step.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const backends = flag('--backends', 'wasm,cpu').split(',');
const reps = Number(flag('--reps', '15'));
const trialOn = flag('--trial', 'wasm').split(',');
const graphFile = flag('--graph', 'search-spaces/zoo/fpn.graph.json');
const parsed = parseGraph(JSON.parse(readFileSync(graphFile, 'utf8')));
if (!parsed.ok) throw new Error(`${graphFile} is invalid`);

console.log(`graph ${parsed.graph.name}, task ${JSON.stringify({ ...DEFAULT_PROXY_TASK })}`);
console.log(
  '| backend | mode | train imgs/s (wall / CPU) | train GFLOP/s (wall / CPU) | forward GFLOP/s (wall / CPU) | step ms (wall / CPU) | trial s (wall / CPU) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const name of backends) {
  try {
    await initBackend(name);
  } catch (err) {
    console.log(`| ${name} | unavailable: ${(err as Error).message.split('\n')[0]} | | | | | |`);
    continue;
  }
  // cpu is 15–150× slower (a step takes minutes): 1 warm-up + 2 timed repetitions keep the bench bounded.
  const n = name === 'cpu' ? 2 : reps;
  const warm = name === 'cpu' ? 1 : 3;
  for (const mode of ['pretrained', 'scratch'] as const) {
    const task = resolveProxyTask({ backend: name as 'wasm', backbone: mode });
    const s = await benchSession(parsed.graph, task);
    const dataset = s.dataset;
    const B = task.batchSize,
      S = task.imageSize;
    // Warm-up: kernels, Adam slots.
    for (let i = 0; i < warm; i++) s.step();
    const stepT = timeIt(n, () => s.step());
    const step = median(stepT.wall);
    const stepCpu = median(stepT.cpu);
    const macs = s.detector.countMacs();
    const trainMacs = mode === 'pretrained' ? macs.neck + macs.head : macs.backbone + macs.neck + macs.head;
    const split = dataset.split('train');
    const idx = Array.from({ length: B }, (_, i) => i);
    let fwdT: { wall: number[]; cpu: number[] };
    if (mode === 'pretrained') {
      const feats = s.featureCache('train').batch(s.detector, split, idx);
      fwdT = timeIt(n, () =>
        tf.tidy(() => {
          s.detector.forwardFeatures(feats, { training: false }).cls.dataSync();
        }),
      );
      for (const t of feats.values()) t.dispose();
    } else {
      const images = tf.tensor4d(
        imagesToFloat(
          idx.map((i) => split.get(i)),
          S,
        ),
        [B, S, S, 3],
      );
      fwdT = timeIt(n, () =>
        tf.tidy(() => {
          s.detector.forward(images, { training: false }).cls.dataSync();
        }),
      );
      images.dispose();
    }
    s.dispose();
    const fwd = median(fwdT.wall);
    const fwdCpu = median(fwdT.cpu);
    let trial = '';
    if (trialOn.includes(name) && mode === DEFAULT_PROXY_TASK.backbone) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const m = await trainAndEvaluate(parsed.graph, { backend: name as 'wasm' });
      const c = process.cpuUsage(c0);
      trial = `${((performance.now() - t0) / 1000).toFixed(1)} / ${((c.user + c.system) / 1e6).toFixed(1)} (AP ${(m.AP * 100).toFixed(2)}; features cached by the rows above)`;
    }
    const fmt = (v: number, d: number) => (v >= 10 ** -d * 10 ? v.toFixed(d) : v.toPrecision(2));
    const pair = (a: number, b: number, d: number) => `${fmt(a, d)} / ${fmt(b, d)}`;
    console.log(
      `| ${name} | ${mode} backbone | ${pair(B / step, B / stepCpu, 0)} | ${pair((6 * trainMacs * B) / step / 1e9, (6 * trainMacs * B) / stepCpu / 1e9, 2)} | ` +
        `${pair((2 * trainMacs * B) / fwd / 1e9, (2 * trainMacs * B) / fwdCpu / 1e9, 2)} | ${pair(step * 1000, stepCpu * 1000, 1)} | ${trial} |`,
    );
  }
}
