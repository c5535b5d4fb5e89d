// End-to-end: `npm run bench:peer` (bench/peer.bench.ts + bench/peer/torch_step.py). Without torch both sides
// skip with exit 0; with torch the PyTorch replica has the project's params and MACs for every fusion op
// and post-op of the zoo, and its first losses on the same batch and weights agree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const TSX = ['--import', 'tsx'];
const hasTorch = ['/usr/bin/python3', 'python3'].some(
  (p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
);

function bench(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [...TSX, 'bench/peer.bench.ts', ...args], {
    encoding: 'utf8',
    env,
    timeout: 180_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bench:peer', () => {
  test('no importable torch: says so and exits 0, the driver and the script alike', () => {
    // A `torch` module first on the path that fails to import, whatever the machine has installed.
    const shim = mkdtempSync(join(tmpdir(), 'no-torch-'));
    writeFileSync(join(shim, 'torch.py'), 'raise ImportError("hidden by the test")\n');
    const env = { ...process.env, PYTHONPATH: shim };
    const r = bench(['--sizes', '64'], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /no python that can import torch .*skipped/);
    const py = spawnSync('/usr/bin/python3', ['bench/peer/torch_step.py', 'unused.json'], { encoding: 'utf8', env });
    if (py.error) return; // no Debian python here: the driver's path above is what runs
    assert.equal(py.status, 0, py.stderr);
    assert.match(JSON.parse(py.stdout).unavailable, /torch cannot be imported \(hidden by the test\)/);
  });

  // asff: adaptive; balanced-fpn: mean; bifpn: weighted, separable convs, repeats; efm: concat; nas-fpn: attention.
  for (const graph of ['fpn', 'asff', 'balanced-fpn', 'bifpn', 'efm', 'nas-fpn']) {
    test(
      `${graph}: the PyTorch replica has the project's params and MACs, and its first losses`,
      { skip: !hasTorch },
      () => {
        const args = ['--graph', `search-spaces/zoo/${graph}.graph.json`, '--sizes', '64', '--rounds', '1'];
        const r = bench([...args, '--steps', '1', '--losses', '2', '--train-images', '32']);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /64 px: params (\d+) \(PyTorch \1\), MACs\/image (\d+) \(PyTorch \2\) equal/);
        const diff = /largest relative difference ([\d.]+)%/.exec(r.out);
        assert.ok(diff && Number(diff[1]) < 0.5, r.out);
        // One images/s column per project variant (wasm kernels; native oneDNN when built), PyTorch's, the ratios.
        assert.match(r.out, /\| 64 \|( \d+ \|){2,} [\d.]+× \|/);
      },
    );
  }
});
