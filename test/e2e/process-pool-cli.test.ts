// The embedded pool's size at the CLI: a campaign asking for more trials at once than the machine has
// cores is warned about (one process per running trial and its memory), at --dry-run and when it runs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { cliAsync } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-pool-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const run = cliAsync;

function campaign(name: string, concurrency: number): string {
  const f = join(root, `${name}.json`);
  writeFileSync(
    f,
    JSON.stringify({
      name,
      space: { name: 'nas-fpn' },
      controller: { kind: 'random' },
      budget: { trials: 2 },
      concurrency,
      output: join(root, 'results', name),
    }),
  );
  return f;
}

describe('embedded concurrency above the core count', () => {
  test('--dry-run warns about 1024 processes and their memory', async () => {
    const r = await run(['search', campaign('huge', 1024), '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `warning: concurrency 1024 is more than this machine's ${availableParallelism()} cores: the embedded pool starts one process per running trial \\(about 500 MB resident each`,
      ),
    );
  });

  test('a run warns too (and still runs); at the core count it does not', async () => {
    const fake = { PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: '{}' };
    const over = await run(['search', campaign('over', availableParallelism() + 1), '--json'], fake);
    assert.equal(over.code, 0, over.stderr);
    assert.match(over.stdout, /"level":40.*concurrency \d+ is more than this machine's/);
    const fits = await run(['search', campaign('fits', availableParallelism()), '--dry-run']);
    assert.equal(fits.code, 0, fits.stderr);
    assert.doesNotMatch(fits.stderr, /warning: concurrency/);
  });
});
