// The generated PyTorch necks against the TensorFlow.js neck, checked by one Python process
// (test/python/check_pytorch_necks.py) for every zoo graph, 100 random samples of each search space and
// one small graph per fusion op × post-op: the module builds, its parameter count is graphCost's, its
// outputs have the right shapes for odd (and non-square) inputs, and with the TensorFlow.js weights loaded
// it computes the same outputs within 1e-4. torch.jit.script and torch.onnx.export run on a few. Skipped
// (and counted) when /usr/bin/python3 cannot import torch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';

import { getSpace } from '../../search-spaces/index.js';
import { initBackend } from '../../src/backend/index.js';
import { buildPyramid, levelSize, ParamStore } from '../../src/detector/index.js';
import { emitPytorchNeck, unsupportedReason } from '../../src/export/pytorch/emit-neck.js';
import { tfEntriesOfStore, torchWeightsFile } from '../../src/export/pytorch/weights.js';
import {
  FULL_SCALE,
  fullScaleCost,
  FUSION_OPS,
  type FusionOp,
  graphCost,
  MIN_ARITY,
  parseGraph,
  POST_OPS,
  type PostOp,
  type PyramidGraph,
  ZOO_DIR,
  zooNames,
} from '../../src/graph/index.js';

const PYTHON = '/usr/bin/python3';
const CHECKER = 'test/python/check_pytorch_necks.py';
const STAND_INS = 'test/python/stand-ins';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const skip = hasTorch ? false : `${PYTHON} cannot import torch (Debian python3-torch)`;

/** Small widths keep the Python side fast; each level's backbone width differs so a mix-up shows. */
const CHANNELS = 8;
const BACKBONE: Record<number, number> = { 1: 3, 2: 5, 3: 6, 4: 7, 5: 9, 6: 10, 7: 11, 8: 12, 9: 13 };
/** Odd sides, one non-square: [height, width] of the image. */
const SHAPE_SIZES: Array<[number, number]> = [
  [75, 75],
  [99, 99],
  [161, 161],
  [97, 131],
];
const EQUIVALENCE_SIZE = 99;
const TOLERANCE = 1e-4;
const SAMPLES_PER_SPACE = 100;

function valid(json: unknown): PyramidGraph {
  const r = parseGraph(json);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return r.graph;
}

/** One graph per fusion op × post-op: the op at level 4 reads a finer and a coarser level (a 1-input op the coarser), stacked twice. */
function opGraph(op: FusionOp, post: PostOp): PyramidGraph {
  const inputs = MIN_ARITY[op] >= 2 ? ['C3', 'C5'] : ['C5'];
  return valid({
    format: 'pyramid-graph/1',
    name: `${op}-${post}`,
    levels: { min: 3, max: 5 },
    channels: CHANNELS,
    repeats: 2,
    nodes: [
      { id: 'n', level: 4, op, inputs, post },
      { id: 'p3', level: 3, op: 'sum', inputs: ['C3', 'n'], post: 'none' },
      { id: 'p5', level: 5, op: 'sum', inputs: ['n'], post: 'conv' },
    ],
    outputs: { P3: 'p3', P4: 'n', P5: 'p5' },
  });
}

/** attention with both inputs at one level (g = inputs[1]); resampling over 1..4 levels both ways; a dead node. */
const RESAMPLING_GRAPH = valid({
  format: 'pyramid-graph/1',
  name: 'resampling',
  levels: { min: 3, max: 7 },
  channels: CHANNELS,
  repeats: 1,
  nodes: [
    { id: 'a', level: 4, op: 'sum', inputs: ['C4', 'C6'], post: 'conv' },
    { id: 'tie', level: 4, op: 'attention', inputs: ['a', 'C4'], post: 'none' },
    { id: 'p3', level: 3, op: 'mean', inputs: ['C3', 'C7', 'tie'], post: 'sepconv' },
    { id: 'p7', level: 7, op: 'weighted', inputs: ['p3', 'C5'], post: 'conv' },
    { id: 'p5', level: 5, op: 'concat', inputs: ['p3', 'p7', 'C5'], post: 'none' },
    { id: 'p6', level: 6, op: 'adaptive', inputs: ['C3', 'p7'], post: 'sepconv' },
    { id: 'dead', level: 5, op: 'sum', inputs: ['C5'], post: 'conv' },
  ],
  outputs: { P3: 'p3', P4: 'tie', P5: 'p5', P6: 'p6', P7: 'p7' },
});

/** The zoo graphs a neck module can express (codegen-text.test.ts checks that the others are refused). */
function zooGraphs(): Array<{ id: string; graph: PyramidGraph }> {
  return zooNames()
    .map((name) => ({
      id: `zoo:${name}`,
      graph: valid(JSON.parse(readFileSync(join(ZOO_DIR, `${name}.graph.json`), 'utf8'))),
    }))
    .filter(({ graph }) => unsupportedReason(graph) === undefined);
}

function spaceSamples(space: string, seed: number): Array<{ id: string; graph: PyramidGraph }> {
  const s = getSpace(space);
  const rng = seedrandom(`codegen/${space}/${seed}`);
  return Array.from({ length: SAMPLES_PER_SPACE }, (_, i) => {
    const decisions = s.sample(rng);
    return { id: `${space}#${i} seed ${seed} [${decisions.join(',')}]`, graph: s.decode(decisions) };
  });
}

/** Non-trivial values for every neck tensor the initialiser sets to a constant (BN, fusion weights, biases). */
function perturb(store: ParamStore, seed: number): void {
  const rng = seedrandom(`codegen/perturb/${seed}`);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng();
  const ranges: Array<[RegExp, number, number]> = [
    [/\/gamma$/, 0.5, 1.5],
    [/\/beta$/, -0.5, 0.5],
    [/\/moving_mean$/, -0.5, 0.5],
    [/\/moving_variance$/, 0.5, 2],
    [/\/fusion_w$/, -0.5, 1.5],
    [/\/b$/, -0.5, 0.5],
  ];
  for (const e of [...store.trainable, ...store.state]) {
    if (e.group !== 'neck') continue;
    const range = ranges.find(([re]) => re.test(e.label));
    if (!range) continue;
    const values = Float32Array.from({ length: e.variable.size }, () => uniform(range[1], range[2]));
    tf.tidy(() => e.variable.assign(tf.tensor(values, e.variable.shape, 'float32')));
  }
}

function writeFloats(file: string, tensors: Float32Array[]): void {
  const total = tensors.reduce((n, t) => n + t.length, 0);
  const buf = Buffer.alloc(total * 4);
  let o = 0;
  for (const t of tensors) for (const v of t) o = buf.writeFloatLE(v, o);
  writeFileSync(file, buf);
}

/** NHWC values → NCHW values. */
function nchw(t: tf.Tensor4D): { shape: number[]; values: Float32Array } {
  const [b, h, w, c] = t.shape;
  return { shape: [b, c, h, w], values: tf.tidy(() => tf.transpose(t, [0, 3, 1, 2]).dataSync() as Float32Array) };
}

interface CaseResult {
  id: string;
  error?: string;
  params?: number;
  shapes?: number[][][];
  outputShapes?: number[][];
  maxDiff?: number;
  maxAbs?: number;
  scriptDiff?: number;
  onnxBytes?: number;
}

interface Report {
  unavailable?: string;
  torch?: string;
  cases: CaseResult[];
  adapters?: Record<string, unknown> & { error?: string };
}

let dir = '';
let report: Report;
const expected = new Map<string, { graph: PyramidGraph; params: number; fullScale?: number }>();

const levelsOf = (g: PyramidGraph) =>
  Array.from({ length: g.levels.max - g.levels.min + 1 }, (_, i) => g.levels.min + i);
const sidesAt = (g: PyramidGraph, [h, w]: [number, number]) =>
  levelsOf(g).map((l) => [levelSize(h, l), levelSize(w, l)]);

before(async () => {
  if (!hasTorch) return;
  await initBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-codegen-'));
  const graphs = [
    ...zooGraphs(),
    ...spaceSamples('nas-fpn', 1),
    ...spaceSamples('bifpn-cells', 2),
    ...FUSION_OPS.flatMap((op) => POST_OPS.map((post) => ({ id: `op:${op}/${post}`, graph: opGraph(op, post) }))),
    { id: 'resampling', graph: RESAMPLING_GRAPH },
  ];
  const cases: unknown[] = [];
  graphs.forEach(({ id, graph: original }, i) => {
    const graph = { ...original, channels: CHANNELS };
    const levels = levelsOf(graph);
    const inChannels = levels.map((l) => BACKBONE[l]);
    const caseDir = join(dir, String(i));
    mkdirSync(caseDir);
    const module = join(caseDir, 'neck.py');
    writeFileSync(module, emitPytorchNeck(graph));
    // The TensorFlow.js neck with the same graph, perturbed weights, one odd input size.
    const store = new ParamStore(i + 1);
    const pyramid = buildPyramid(graph, { store, inputSize: EQUIVALENCE_SIZE, backboneChannels: BACKBONE });
    perturb(store, i + 1);
    const { index, data } = torchWeightsFile(graph, tfEntriesOfStore(store), 'neck.weights.bin');
    writeFileSync(join(caseDir, 'neck.weights.json'), JSON.stringify(index));
    writeFileSync(join(caseDir, 'neck.weights.bin'), data);
    const rng = seedrandom(`codegen/inputs/${i}`);
    const inputs = new Map<number, tf.Tensor4D>();
    for (const l of levels) {
      const side = levelSize(EQUIVALENCE_SIZE, l);
      const values = Float32Array.from({ length: side * side * BACKBONE[l] }, () => 2 * rng() - 1);
      inputs.set(l, tf.tensor4d(values, [1, side, side, BACKBONE[l]]));
    }
    const outputs = tf.tidy(() => {
      const out = pyramid(inputs, { training: false });
      return levels.map((l) => nchw(out.get(l)!));
    });
    const ins = levels.map((l) => nchw(inputs.get(l)!));
    for (const t of inputs.values()) t.dispose();
    writeFloats(
      join(caseDir, 'inputs.bin'),
      ins.map((t) => t.values),
    );
    writeFloats(
      join(caseDir, 'outputs.bin'),
      outputs.map((t) => t.values),
    );
    store.dispose();
    const isZoo = id.startsWith('zoo:');
    cases.push({
      id,
      module,
      inChannels,
      channels: CHANNELS,
      sizes: SHAPE_SIZES.map((s) => sidesAt(graph, s)),
      equivalence: {
        weights: join(caseDir, 'neck.weights.json'),
        inputs: join(caseDir, 'inputs.bin'),
        inputShapes: ins.map((t) => t.shape),
        outputs: join(caseDir, 'outputs.bin'),
        outputShapes: outputs.map((t) => t.shape),
      },
      script: isZoo || id.startsWith('op:') || id === 'resampling',
      onnx: ['zoo:fpn', 'zoo:nas-fpn', 'zoo:bifpn', 'resampling'].includes(id),
    });
    expected.set(id, {
      graph,
      params: graphCost(graph, { inputSize: EQUIVALENCE_SIZE, backboneChannels: BACKBONE }).params,
    });
    if (isZoo) {
      // The same module at full scale: ResNet-50 widths and 256 channels, built only (no forward).
      const fullId = `${id} at full scale`;
      cases.push({
        id: fullId,
        module,
        inChannels: levels.map((l) => FULL_SCALE.backboneChannels[l as keyof typeof FULL_SCALE.backboneChannels]),
        channels: FULL_SCALE.channels,
      });
      expected.set(fullId, { graph, params: fullScaleCost(original).params });
    }
  });
  // A control the comparison must reject: the zoo FPN's module with another store's weights.
  const control = cases.find((c) => (c as { id: string }).id === 'zoo:fpn') as { equivalence: object; id: string };
  const fpnGraph = expected.get('zoo:fpn')!.graph;
  const other = new ParamStore(9999);
  buildPyramid(fpnGraph, { store: other, inputSize: EQUIVALENCE_SIZE, backboneChannels: BACKBONE });
  perturb(other, 9999);
  const otherWeights = torchWeightsFile(fpnGraph, tfEntriesOfStore(other), 'other.weights.bin');
  other.dispose();
  writeFileSync(join(dir, 'other.weights.json'), JSON.stringify(otherWeights.index));
  writeFileSync(join(dir, 'other.weights.bin'), otherWeights.data);
  cases.push({
    ...control,
    id: 'control: zoo:fpn with other weights',
    equivalence: { ...control.equivalence, weights: join(dir, 'other.weights.json') },
    script: false,
    onnx: false,
  });
  expected.set('control: zoo:fpn with other weights', expected.get('zoo:fpn')!);

  const fpn = join(dir, 'adapters-neck.py');
  writeFileSync(
    fpn,
    emitPytorchNeck({ ...zooGraphs().find((z) => z.id === 'zoo:nas-fpn')!.graph, channels: CHANNELS }),
  );
  const manifest = {
    cases,
    adapters: {
      module: fpn,
      standIns: STAND_INS,
      imageSize: 203,
      channels: CHANNELS,
      mmdetNeck: {
        in_channels: [4, 6, 7, 9],
        out_channels: CHANNELS,
        num_outs: 5,
        start_level: 1,
        norm_cfg: { type: 'BN' },
      },
      detectron2Cfg: {
        inFeatures: ['res3', 'res4', 'res5'],
        outChannels: CHANNELS,
        widths: { res3: 6, res4: 7, res5: 9 },
      },
      torchvisionWidths: [6, 7, 9],
    },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const py = spawnSync(PYTHON, [CHECKER, join(dir, 'manifest.json')], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  assert.equal(py.status, 0, `${CHECKER} failed:\n${py.stderr}`);
  report = JSON.parse(py.stdout) as Report;
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('generated PyTorch necks (python3-torch)', { skip }, () => {
  test('every case builds and runs: zoo, 100 samples of each space, every fusion op × post-op', () => {
    assert.equal(report.unavailable, undefined);
    const failed = report.cases.filter((c) => c.error);
    assert.deepEqual(
      failed.map((c) => `${c.id}: ${c.error}`),
      [],
    );
    assert.ok(
      report.cases.length >= zooGraphs().length * 2 + 2 * SAMPLES_PER_SPACE + FUSION_OPS.length * POST_OPS.length + 1,
    );
  });

  test('parameter count equals graphCost for the same channels (and fullScaleCost at full scale)', () => {
    const wrong = report.cases
      .filter((c) => c.params !== expected.get(c.id)!.params)
      .map((c) => `${c.id}: module ${c.params}, graphCost ${expected.get(c.id)!.params}`);
    assert.deepEqual(wrong, []);
  });

  test('output shapes are [1, C, ceil(h/2^l), ceil(w/2^l)] for odd and non-square inputs', () => {
    let checked = 0;
    for (const c of report.cases) {
      if (!c.shapes?.length) continue;
      const { graph } = expected.get(c.id)!;
      SHAPE_SIZES.forEach((size, k) => {
        const want = sidesAt(graph, size).map(([h, w]) => [1, CHANNELS, h, w]);
        assert.deepEqual(c.shapes![k], want, `${c.id} at ${size.join('×')}`);
        checked++;
      });
    }
    assert.ok(checked >= 4 * (zooGraphs().length + 2 * SAMPLES_PER_SPACE));
  });

  // float32 holds ~7 significant digits and outputs after 7 repeats reach ~1e3, so the bound scales with the
  // largest output magnitude: |difference| ≤ 1e-4 · max(1, max |output|).
  test(`same outputs as the TensorFlow.js neck with its weights loaded (within ${TOLERANCE}, relative)`, (t) => {
    const compared = report.cases.filter((c) => c.maxDiff !== undefined && !c.id.startsWith('control:'));
    const control = report.cases.find((c) => c.id.startsWith('control:'))!;
    assert.ok(control.maxDiff! > 0.1, `other weights give other outputs (difference ${control.maxDiff})`);
    assert.ok(compared.length >= zooGraphs().length + 2 * SAMPLES_PER_SPACE + FUSION_OPS.length * POST_OPS.length);
    const relative = (c: CaseResult) => c.maxDiff! / Math.max(1, c.maxAbs!);
    const worst = compared.reduce((a, b) => (relative(b) > relative(a) ? b : a));
    t.diagnostic(
      `${compared.length} graphs; worst ${worst.id}: |difference| ${worst.maxDiff} at max |output| ${worst.maxAbs}`,
    );
    const over = compared
      .filter((c) => !(relative(c) <= TOLERANCE))
      .map((c) => `${c.id}: ${c.maxDiff} (max |output| ${c.maxAbs})`);
    assert.deepEqual(over, []);
    // A difference of 0 everywhere would also pass if nothing were compared: the outputs are not trivial.
    assert.ok(
      compared.every((c) => c.maxAbs! > 0.01),
      'every reference output has values',
    );
  });

  test('torch.jit.script matches eager; torch.onnx.export writes a model', () => {
    const scripted = report.cases.filter((c) => c.scriptDiff !== undefined);
    assert.ok(scripted.length >= zooGraphs().length + FUSION_OPS.length * POST_OPS.length);
    for (const c of scripted) assert.ok(c.scriptDiff! <= 1e-6, `${c.id}: scripted differs by ${c.scriptDiff}`);
    const exported = report.cases.filter((c) => c.onnxBytes !== undefined);
    assert.equal(exported.length, 4);
    for (const c of exported) assert.ok(c.onnxBytes! > 1000, `${c.id}: ${c.onnxBytes} bytes`);
  });

  test('adapters, against stand-in mmdet and detectron2 registries (neither installs here)', () => {
    const a = report.adapters as Record<string, Record<string, unknown>> & { error?: string };
    assert.equal(a.error, undefined);
    const sides = (size: number) => [3, 4, 5, 6, 7].map((l) => levelSize(size, l));
    const mm = a.mmdet;
    assert.equal(mm.registered, true);
    assert.equal(mm.isTuple, true);
    assert.deepEqual(
      mm.shapes,
      sides(203).map((s) => [1, CHANNELS, s, s]),
    );
    assert.match(String(mm.badNumOuts), /num_outs: 6, this neck outputs 5 levels/);
    const d2 = a.detectron2;
    assert.equal(d2.isBackbone, true);
    assert.equal(d2.sizeDivisibility, 128);
    assert.deepEqual(d2.outputShape, { p3: [8, 8], p4: [8, 16], p5: [8, 32], p6: [8, 64], p7: [8, 128] });
    assert.deepEqual(
      Object.values(d2.shapes as Record<string, number[]>),
      sides(203).map((s) => [1, CHANNELS, s, s]),
    );
    const tv = a.torchvision;
    assert.equal(tv.isDict, true);
    assert.deepEqual(Object.keys(tv.shapes as object), ['p3', 'p4', 'p5', 'p6', 'p7']);
  });
});
