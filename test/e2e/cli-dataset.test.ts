import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import sharp from 'sharp';

const BIN = resolve('bin/pyramid-nas.mjs');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-cli-dataset-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('pyramid-nas dataset', () => {
  test('export writes a COCO folder of exactly the built-in samples', async () => {
    const out = join(root, 'held');
    const r = cli(
      'dataset',
      'export',
      'shapes',
      '--split',
      'heldout',
      '--out',
      out,
      '--count',
      '6',
      '--seed',
      '5',
      '--size',
      '40',
    );
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.images, 6);
    const doc = JSON.parse(readFileSync(join(out, 'instances.json'), 'utf8'));
    assert.equal(doc.images.length, 6);
    assert.equal(doc.annotations.length, summary.annotations);
    const split = JSON.parse(readFileSync(join(out, 'pyramid-nas.split.json'), 'utf8'));
    assert.deepEqual(split.heldout, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(split.train, []);
    // Compared with the dataset exactly as the trainer opens it (its own object-size/count defaults included).
    const { openDataset } = await import('../../src/data/open.js');
    const { resolveProxyTask } = await import('../../src/trial/proxy-task.js');
    const built = await openDataset(
      resolveProxyTask({ dataset: 'shapes', imageSize: 40, trainImages: 1, heldoutImages: 6, seed: 5 }),
    );
    const { data, info } = await sharp(join(out, 'images', doc.images[3].file_name))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 40);
    assert.deepEqual(new Uint8Array(data), built.split('heldout').get(3).pixels);
  });

  test('bad input exits 2 with a message', () => {
    const out = join(root, 'held'); // exists from the previous test
    const cases: Array<[string[], RegExp]> = [
      [
        ['dataset', 'export', 'shapes', '--split', 'val', '--out', join(root, 'x')],
        /expected one of train, heldout, test, got "val"/,
      ],
      [['dataset', 'export', 'shapes', '--count', 'many', '--out', join(root, 'x')], /expected an integer/],
      [['dataset', 'export', 'cifar', '--out', join(root, 'x')], /expected one of shapes, fashion-mnist-scenes/],
      [
        ['dataset', 'export', 'shapes', '--split', 'heldout', '--out', out, '--count', '2'],
        /already exists \(use --force/,
      ],
      [
        ['dataset', 'export', 'fashion-mnist-scenes', '--data', join(root, 'no-such-dir'), '--out', join(root, 'x')],
        /fashion-mnist directory not found/,
      ],
      [['dataset', 'export', 'shapes', '--count', '2', '--out', join(out, 'instances.json', 'x')], /ENOTDIR|EEXIST/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.ok(!existsSync(join(root, 'x')));
  });

  test('preview writes a PNG mosaic; stats prints the area fractions', async () => {
    const png = join(root, 'p', 'mosaic.png');
    const r = cli('dataset', 'preview', 'shapes', '--out', png, '--count', '6', '--columns', '3', '--size', '32');
    assert.equal(r.status, 0, r.stderr);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, 3 * 32 + 4 * 4);
    assert.ok(statSync(png).size > 0);
    const s = cli('dataset', 'stats', 'shapes', '--count', '50', '--size', '64');
    assert.equal(s.status, 0, s.stderr);
    const st = JSON.parse(s.stdout);
    assert.equal(st.images, 50);
    const f = st.fractions;
    assert.ok(Math.abs(f.small + f.medium + f.large - 1) < 1e-9);
  });

  test('training on an export of both splits (--dataset coco) repeats the built-in run step for step', async () => {
    const dir = join(root, 'both');
    const common = ['--seed', '7', '--size', '32'];
    assert.equal(
      cli('dataset', 'export', 'shapes', '--split', 'train', '--out', join(dir, 'train'), '--count', '24', ...common)
        .status,
      0,
    );
    assert.equal(
      cli(
        'dataset',
        'export',
        'shapes',
        '--split',
        'heldout',
        '--out',
        join(dir, 'heldout'),
        '--count',
        '12',
        ...common,
      ).status,
      0,
    );
    // The library trainer (loaded only here: TensorFlow.js), so the per-step losses can be compared too —
    // after a few steps AP is still 0, but the losses depend on every pixel and box of every batch.
    const { trainAndEvaluate } = await import('../../src/train/index.js');
    const graph = JSON.parse(readFileSync(resolve('search-spaces/zoo/fpn.graph.json'), 'utf8'));
    const run = async (dataset: object) => {
      const losses: number[] = [];
      const m = await trainAndEvaluate(
        graph,
        { steps: 4, batchSize: 4, imageSize: 32, trainImages: 24, heldoutImages: 12, seed: 7, ...dataset },
        {
          onProgress: (p) => losses.push(p.loss),
        },
      );
      const { AP, AP50, APs, params, macs } = m as unknown as Record<string, number>;
      return { losses, AP, AP50, APs, params, macs };
    };
    const builtIn = await run({ dataset: 'shapes' });
    assert.equal(builtIn.losses.length, 4);
    assert.ok(builtIn.losses.every(Number.isFinite));
    assert.deepEqual(await run({ dataset: 'coco', dataDir: dir }), builtIn);
    // ... and the comparison can fail: another seed's export trains differently.
    const other = join(root, 'other');
    assert.equal(
      cli(
        'dataset',
        'export',
        'shapes',
        '--split',
        'train',
        '--out',
        join(other, 'train'),
        '--count',
        '24',
        '--seed',
        '8',
        '--size',
        '32',
      ).status,
      0,
    );
    assert.equal(
      cli(
        'dataset',
        'export',
        'shapes',
        '--split',
        'heldout',
        '--out',
        join(other, 'heldout'),
        '--count',
        '12',
        ...common,
      ).status,
      0,
    );
    assert.notDeepEqual((await run({ dataset: 'coco', dataDir: other })).losses, builtIn.losses);
  });
});
