// scripts/run-tests.mjs: its last line is what CI reads, so it must count exactly what node's runner ran:
// skipped and todo tests apart (never as passed), failures as failures, and nothing a test prints.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the runner on a folder holding `files` (name → source); answers its exit code and last line. */
function runOn(files: Record<string, string>): { code: number | null; last: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pnas-runner-'));
  dirs.push(dir);
  for (const [name, src] of Object.entries(files)) writeFileSync(join(dir, name), src);
  // This file itself runs under `node --test`, which tells child processes to report to it through
  // NODE_TEST_CONTEXT; the runner under test must report on its own.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', dir], { encoding: 'utf8', env, timeout: 60_000 });
  const lines = r.stdout.trimEnd().split('\n');
  return { code: r.status, last: lines[lines.length - 1], out: r.stdout + r.stderr };
}

const HEADER = `import { test, describe } from 'node:test';\n`;

describe('scripts/run-tests.mjs summary line', () => {
  test('counts skipped and todo tests as skipped, never as passed', () => {
    const r = runOn({
      'a.test.ts':
        HEADER +
        `
test('passes', () => {});
test('skipped by option', { skip: 'not here' }, () => {});
test('skipped from inside', (t) => { t.skip('later'); });
test('todo', { todo: true }, () => {});
describe('suite', () => { test('passes too', () => {}); test.skip('skipped in a suite', () => {}); });
`,
    });
    assert.equal(r.last, '2 passed, 0 failed, 4 skipped', r.out);
    assert.equal(r.code, 0, r.out);
  });

  test('a failing test is counted and fails the run; counts add up over several files', () => {
    const r = runOn({
      'a.test.ts': HEADER + `test('passes', () => {});\ntest('fails', () => { throw new Error('boom'); });\n`,
      'b.test.ts': HEADER + `test('passes', () => {});\ntest.skip('skipped', () => {});\n`,
    });
    assert.equal(r.last, '2 passed, 1 failed, 1 skipped', r.out);
    assert.equal(r.code, 1, r.out);
  });

  test('what a test prints cannot change the counts', () => {
    // node's TAP reporter turns a test's stdout into "# …" lines, the same shape as its trailer.
    const r = runOn({
      'a.test.ts':
        HEADER +
        `test('noisy', () => { console.log('pass 99'); console.log('fail 0'); console.log('skipped 7'); });
test('fails', () => { throw new Error('boom'); });
`,
    });
    assert.equal(r.last, '1 passed, 1 failed, 0 skipped', r.out);
    assert.equal(r.code, 1, r.out);
  });

  test('a file that does not load is a failure', () => {
    const r = runOn({
      'a.test.ts': HEADER + `test('passes', () => {});\n`,
      'b.test.ts': `import './does-not-exist.js';\n`,
    });
    assert.match(r.last, /^1 passed, [1-9]\d* failed, 0 skipped$/, r.out);
    assert.equal(r.code, 1, r.out);
  });
});
