// Resource limits at the CLI: `search --dry-run` refuses a campaign whose proxy task is over the limits
// trial processes enforce (exit 2, the key's JSON path, value, limit and the flag to raise it) before
// anything is written; `--limits` raises them; a bad `--limits` is a usage error on search and worker.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { cliAsync } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-limits-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const run = (args: string[]) => cliAsync(args);

const out = join(root, 'results', 'big');
const file = join(root, 'big.json');
writeFileSync(
  file,
  JSON.stringify({
    name: 'big',
    space: { name: 'nas-fpn' },
    controller: { kind: 'random' },
    budget: { trials: 2 },
    concurrency: 1,
    output: out,
    proxy: { channels: 4096, imageSize: 1024, batchSize: 1024, maxRepeats: 16 },
  }),
);

describe('resource limits at the CLI', () => {
  test('search --dry-run refuses a proxy task over the limits, naming each key, and writes nothing', async () => {
    const r = await run(['search', file, '--dry-run']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /\$\.proxy\.imageSize: 1024 is over the trial-process limit 256; .*--limits '\{"imageSize":1024\}'/,
    );
    assert.match(r.stderr, /\$\.proxy\.channels: 4096 is over the trial-process limit 256/);
    assert.match(r.stderr, /\$\.proxy\.batchSize: 1024 is over/);
    assert.match(r.stderr, /\$\.proxy\.maxRepeats: 16 is over the trial-process limit 8/);
    assert.equal(existsSync(out), false);
  });

  test('--limits raises them', async () => {
    const r = await run([
      'search',
      file,
      '--dry-run',
      '--limits',
      '{"imageSize":1024,"channels":4096,"batchSize":1024,"maxRepeats":16}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).proxy.imageSize, 1024);
  });

  test('a bad --limits is a usage error naming the key, on search and on worker', async () => {
    const s = await run(['search', file, '--dry-run', '--limits', '{"imagesize":1024}']);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /--limits.*\$\.imagesize: unknown limit/);
    const w = await run(['worker', '--redis', 'redis://127.0.0.1:6379', '--campaign', 'x', '--limits', '{"steps":-5}']);
    assert.equal(w.code, 2);
    assert.match(w.stderr, /--limits.*\$\.steps: expected a positive integer, got -5/);
    const m = await run([
      'worker',
      '--redis',
      'redis://127.0.0.1:6379',
      '--campaign',
      'x',
      '--max-trials-per-child',
      '0',
    ]);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /--max-trials-per-child/);
  });
});
