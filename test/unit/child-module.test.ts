// Which file a parent forks for a sibling module: the compiled .js when the parent runs from dist (no tsx in
// a published install), the .ts through tsx when it runs from source — from any working folder.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { childModule } from '../../src/util/child-module.js';

test('a compiled parent forks the compiled sibling with no loader', () => {
  const c = childModule('./pool-child', 'file:///opt/app/node_modules/pyramid-nas/dist/workers/process-pool.js');
  assert.deepEqual(c, { file: '/opt/app/node_modules/pyramid-nas/dist/workers/pool-child.js', execArgv: [] });
});

test('a TypeScript parent forks the .ts sibling through tsx, even from a folder without node_modules', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnas-child-module-'));
  try {
    // A type annotation: only a TypeScript loader runs this file.
    writeFileSync(join(dir, 'child.ts'), 'const n: number = 6 * 7;\nprocess.send!({ n });\n');
    const c = childModule('./child', pathToFileURL(join(dir, 'parent.ts')).href);
    assert.equal(c.file, join(dir, 'child.ts'));
    assert.equal(c.execArgv[0], '--import');
    const got = await new Promise((resolve, reject) => {
      const child = fork(c.file, [], {
        cwd: dir,
        execArgv: c.execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`child exited ${code} before answering`)));
    });
    assert.deepEqual(got, { n: 42 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
