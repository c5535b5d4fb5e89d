// End-to-end: `pyramid-nas codegen` as a user runs it. The module it writes is imported by a fresh,
// isolated Python (`-I`: no PYTHONPATH, no user site) that has only torch, built at full scale and run;
// a neck checkpoint converts to weights that the module's loader reads. Python parts are skipped (and
// counted) when /usr/bin/python3 cannot import torch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { initBackend } from '../../src/backend/index.js';
import { buildPyramid, exportCheckpoint, ParamStore } from '../../src/detector/index.js';
import { PROXY_BACKBONE_CHANNELS } from '../../src/graph/index.js';

const PYTHON = '/usr/bin/python3';
const BIN = resolve('bin/pyramid-nas.mjs');
const ZOO = resolve('search-spaces/zoo');
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const noTorch = hasTorch ? false : `${PYTHON} cannot import torch (Debian python3-torch)`;
const dir = mkdtempSync(join(tmpdir(), 'cli-codegen-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh isolated Python in `cwd` (its folder put on sys.path by hand, as `-I` leaves it off). */
function python(cwd: string, code: string) {
  const r = spawnSync(PYTHON, ['-I', '-c', `import sys; sys.path.insert(0, ".")\n${code}`], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pyramid-nas codegen --format pytorch', () => {
  test('writes <graph name>.py and its mmdetection config fragment next to it', () => {
    const r = cli(dir, 'codegen', join(ZOO, 'nas-fpn.graph.json'), '--format', 'pytorch');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['nas_fpn.py', 'nas_fpn.retinanet_r50.mmdet.py']);
    assert.match(readFileSync(join(dir, 'nas_fpn.py'), 'utf8'), /^class PyramidNeck\(nn\.Module\):$/m);
  });

  test('a fresh Python with only torch imports it and runs it at full scale', { skip: noTorch }, () => {
    const r = python(
      dir,
      [
        'import torch, nas_fpn',
        'widths = [512, 1024, 2048, 2048, 2048]',
        'neck = nas_fpn.PyramidNeck(widths, 256).eval()',
        'feats = [torch.randn(1, c, -(-201 // 2**l), -(-201 // 2**l)) for c, l in zip(widths, range(3, 8))]',
        'with torch.no_grad():',
        '    outs = neck(feats)',
        'print([list(o.shape) for o in outs])',
        'print(sum(p.numel() for p in neck.parameters()))',
        'print(sorted(m for m in sys.modules if m.split(".")[0] in ("mmdet", "detectron2", "torchvision", "pyramid_nas")))',
      ].join('\n'),
    );
    assert.equal(r.code, 0, r.stderr);
    const [shapes, params, others] = r.stdout.trim().split('\n');
    assert.deepEqual(
      JSON.parse(shapes),
      [26, 13, 7, 4, 2].map((s) => [1, 256, s, s]),
    );
    // pyramid-nas zoo: nas-fpn's params at full scale.
    assert.equal(Number(params), 30_895_104);
    assert.equal(others, '[]');
  });

  test('a zoo name and --out work; a bad graph or format exits 2 naming the problem', () => {
    const out = join(dir, 'sub', 'my_fpn.py');
    const ok = cli(dir, 'codegen', 'fpn', '--out', out);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(out) && existsSync(join(dir, 'sub', 'my_fpn.retinanet_r50.mmdet.py')));
    const g = JSON.parse(readFileSync(join(ZOO, 'fpn.graph.json'), 'utf8'));
    g.nodes[1].inputs[1] = 'p9';
    const bad = join(dir, 'bad.graph.json');
    writeFileSync(bad, JSON.stringify(g));
    const r = cli(dir, 'codegen', bad);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${bad}: nodes[1].inputs[1]: unknown id "p9" [UNKNOWN_INPUT]`), r.stderr);
    const fmt = cli(dir, 'codegen', 'fpn', '--format', 'onnx');
    assert.equal(fmt.code, 2);
    assert.match(fmt.stderr, /Allowed choices are pytorch/);
    assert.equal(cli(dir, 'codegen', 'no-such-graph').code, 2);
  });
});

describe('pyramid-nas codegen --weights (a TensorFlow.js neck checkpoint)', () => {
  const graphFile = join(dir, 'small.graph.json');
  const ckpt = join(dir, 'small.neck.json');
  before(async () => {
    await initBackend('cpu');
    const g = { ...JSON.parse(readFileSync(join(ZOO, 'fpn.graph.json'), 'utf8')), name: 'small', channels: 16 };
    writeFileSync(graphFile, JSON.stringify(g));
    const store = new ParamStore(5);
    buildPyramid(g, { store, inputSize: 64, backboneChannels: PROXY_BACKBONE_CHANNELS });
    writeFileSync(ckpt, JSON.stringify(exportCheckpoint(store, 'neck', { note: 'test' })));
    writeFileSync(join(dir, 'backbone.json'), JSON.stringify(exportCheckpoint(store, 'backbone')));
    store.dispose();
  });

  test('writes the weights index and data; the module loads them, and refuses them for other widths', () => {
    const r = cli(dir, 'codegen', graphFile, '--out', join(dir, 'small_neck.py'), '--weights', ckpt);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /small_neck\.weights\.json\n.*small_neck\.weights\.bin\n$/);
    const index = JSON.parse(readFileSync(join(dir, 'small_neck.weights.json'), 'utf8'));
    assert.equal(index.format, 'pyramid-nas-torch-weights/1');
    assert.equal(index.data, 'small_neck.weights.bin');
    if (!hasTorch) return;
    const widths = [3, 4, 5, 6, 7].map((l) => PROXY_BACKBONE_CHANNELS[l]);
    const load = python(
      dir,
      [
        'import small_neck',
        `neck = small_neck.load_pyramid_nas_weights(small_neck.PyramidNeck(${JSON.stringify(widths)}, 16), "small_neck.weights.json")`,
        'print(float(neck.proj_C3.bn.running_var.sum()))',
        'try:',
        `    small_neck.load_pyramid_nas_weights(small_neck.PyramidNeck(${JSON.stringify(widths)}, 8), "small_neck.weights.json")`,
        'except ValueError as err:',
        '    print(err)',
      ].join('\n'),
    );
    assert.equal(load.code, 0, load.stderr);
    const [varSum, refusal] = load.stdout.trim().split('\n');
    assert.equal(Number(varSum), 16, 'the moving variances (1 each) were loaded');
    assert.match(
      refusal,
      /small_neck\.weights\.json: tensors\[0\] proj_C3\.conv\.weight is \[16, 32, 1, 1\], the module has \[8, 32, 1, 1\]/,
    );
  });

  test('a checkpoint of another group, or not JSON, exits 2 naming the file and the key', () => {
    const other = cli(dir, 'codegen', graphFile, '--out', join(dir, 'x.py'), '--weights', join(dir, 'backbone.json'));
    assert.equal(other.code, 2);
    assert.match(other.stderr, /backbone\.json: \$\.group is backbone, expected neck/);
    writeFileSync(join(dir, 'broken.json'), '{ "format": ');
    const broken = cli(dir, 'codegen', graphFile, '--out', join(dir, 'x.py'), '--weights', join(dir, 'broken.json'));
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.json: invalid JSON at 1:/);
  });
});
