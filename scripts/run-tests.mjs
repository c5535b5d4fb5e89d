#!/usr/bin/env node
// Builds dist/ (scripts/build.mjs), then runs every *.test.ts under the given folders (default: test/) with
// node's test runner + tsx, streams the spec report, and closes with the one summary line CI reads:
// "N passed, N failed, N skipped".
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function collect(path, out) {
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  return out;
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (roots.length ? roots : ['test']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error('no test files found under', roots.join(' ') || 'test');
  process.exit(1);
}
// Tests that run the CLI (bin/pyramid-nas.mjs) run dist/: build it first, incrementally (under a second when
// nothing changed). Type errors do not stop the tests (tsc --noEmit reports them); a build that cannot emit does.
const build = spawnSync(
  process.execPath,
  [join(dirname(fileURLToPath(import.meta.url)), 'build.mjs'), '--allow-type-errors', '--quiet'],
  { stdio: 'inherit' },
);
if (build.status !== 0) {
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-tests-'));
const tap = join(dir, 'report.tap');
const args = [
  '--import',
  'tsx',
  '--test',
  // A hung test (e.g. a worker that never closes) must fail the run, not eat CI's 90 minutes.
  '--test-timeout=240000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...files,
];
const child = spawn(process.execPath, args, {
  stdio: 'inherit',
  detached: true,
  env: { ...process.env, NODE_ENV: 'test' },
});
// Watchdog: a test file whose process never exits (an open handle) must not hang CI for 90 minutes.
const limitMinutes = Number(process.env.TEST_RUN_LIMIT_MINUTES ?? 30);
let timedOut = false;
const watchdog = setTimeout(() => {
  timedOut = true;
  console.error(`test run exceeded ${limitMinutes} minutes: killing it`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}, limitMinutes * 60_000);
watchdog.unref();
// The child runs in its own process group (so the watchdog can kill all of it): pass signals on.
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    try {
      process.kill(-child.pid, sig);
    } catch {}
  });
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  let passed = 0,
    failed = 0,
    skipped = 0;
  try {
    const text = readFileSync(tap, 'utf8');
    // The TAP trailer of node's runner, after the last "# tests N": "# pass N", "# fail N", "# cancelled N",
    // "# skipped N", "# todo N". Only the trailer counts: a test's own stdout also becomes "# …" lines (a
    // test printing "pass 99" must not add 99 passes). Skipped and todo tests are in neither pass nor fail.
    const start = text.lastIndexOf('\n# tests ');
    if (start < 0) throw new Error('no TAP trailer');
    const trailer = text.slice(start);
    const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(trailer)?.[1] ?? 0);
    passed = count('pass');
    failed = count('fail') + count('cancelled');
    skipped = count('skipped') + count('todo');
  } catch {
    failed = Math.max(failed, 1);
  }
  rmSync(dir, { recursive: true, force: true });
  if ((code !== 0 || timedOut) && failed === 0) failed = 1; // a crash outside any test still fails the run
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(timedOut ? 1 : (code ?? (signal ? 1 : 0)));
});
