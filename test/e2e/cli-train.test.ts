// `pyramid-nas train` end to end: a tiny real run prints its JSON result; bad input exits 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const CLI = ['bin/pyramid-nas.mjs', 'train'];

function run(args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pyramid-nas train', () => {
  test('a tiny run logs the backend and progress, and prints AP, costs and timings as JSON', () => {
    const r = run([
      'search-spaces/zoo/fpn.graph.json',
      '--steps',
      '3',
      '--size',
      '32',
      '--channels',
      '8',
      '--batch',
      '2',
      '--train-images',
      '4',
      '--heldout-images',
      '4',
      '--seed',
      '7',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /backend: (wasm|cpu|tensorflow)/);
    assert.match(r.stderr, /step 3\/3/);
    const out = JSON.parse(r.stdout);
    for (const k of ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'params', 'macs', 'trainSeconds', 'evalSeconds']) {
      assert.equal(typeof out[k], 'number', k);
    }
    assert.equal(out.ok, true);
    assert.equal(out.graph, 'fpn');
    assert.equal(out.channels, 8);
    assert.equal(typeof out.backend, 'string');
  });

  test('an invalid graph exits 2 with JSON paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-train-'));
    try {
      const file = join(dir, 'bad.graph.json');
      writeFileSync(
        file,
        JSON.stringify({
          format: 'pyramid-graph/1',
          name: 'bad',
          levels: { min: 3, max: 4 },
          channels: 8,
          repeats: 1,
          nodes: [{ id: 'a', level: 3, op: 'sum', inputs: ['C9'], post: 'none' }],
          outputs: { P3: 'a' },
        }),
      );
      const r = run([file, '--json']);
      assert.equal(r.code, 2);
      const out = JSON.parse(r.stdout);
      assert.equal(out.ok, false);
      const paths = out.errors.map((e: { path: string }) => e.path);
      assert.ok(paths.includes('nodes[0].inputs[0]'), paths.join(','));
      assert.ok(paths.includes('outputs.P4'), paths.join(','));
      assert.match(r.stderr, /bad\.graph\.json: nodes\[0\]\.inputs\[0\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad options exit 2', () => {
    assert.equal(run(['search-spaces/zoo/fpn.graph.json', '--steps', 'many']).code, 2);
    assert.equal(run(['search-spaces/zoo/fpn.graph.json', '--dataset', 'mnist']).code, 2);
    assert.equal(
      run(['search-spaces/zoo/fpn.graph.json', '--dataset', 'coco', '--data', '/nonexistent-dir', '--steps', '1']).code,
      2,
    );
  });
});
