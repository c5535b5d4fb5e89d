#!/usr/bin/env node
// Builds dist/: the TypeScript of src/, search-spaces/, controllers/ and workers/ compiled by
// `tsc -b tsconfig.build.json` (incremental: well under a second when nothing changed), every other file
// under those folders (JSON, dashboard page, …) copied to the same relative place, and outputs whose source
// is gone removed. Last, dist/.build-stamp is dated to the moment the build started: a source newer than
// the stamp was not compiled, and bin/pyramid-nas.mjs will not run dist over it.
//
//   node scripts/build.mjs                       type errors fail the build (npm run build, npm pack)
//   node scripts/build.mjs --allow-type-errors   type errors are reported, the JavaScript is still used
//                                                (npm ci's prepare and the test runner; tsc --noEmit is
//                                                what gates type errors)
//   node scripts/build.mjs --quiet               no output unless something is wrong
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
/** The compiled folders (tsconfig.build.json's include). */
const SOURCE_ROOTS = ['src', 'search-spaces', 'controllers', 'workers'];
const STAMP = join(DIST, '.build-stamp');
const BUILD_INFO = join(DIST, '.tsbuildinfo');
const LOCK = join(DIST, '.build-lock');
const KEEP = new Set([STAMP, BUILD_INFO, LOCK]);

const args = new Set(process.argv.slice(2));
const allowTypeErrors = args.has('--allow-type-errors');
const quiet = args.has('--quiet');

function walk(dir, out = []) {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const d of names) {
    const p = join(dir, d.name);
    if (d.isDirectory()) walk(p, out);
    else if (d.isFile()) out.push(p);
  }
  return out;
}

/** One build at a time: two test runs started together must not write the same files at once. */
function lock() {
  mkdirSync(DIST, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const owner = Number(readFileSync(LOCK, 'utf8').trim() || NaN);
    let alive = false;
    try {
      if (owner > 0) alive = process.kill(owner, 0);
    } catch (err) {
      alive = err.code === 'EPERM';
    }
    // A lock left by a build that was killed, or one just created and not yet written: retry.
    if (!alive && owner > 0) rmSync(LOCK, { force: true });
    else if (Date.now() > deadline) throw new Error(`build: ${LOCK} held by process ${owner} for 10 minutes`);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

function compile() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json', '--pretty', 'false'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status === 0) return;
  // tsc -b still emits the JavaScript when the only problems are type errors ("error TS…" lines).
  const typeErrorsOnly =
    r.status === 1 && output !== '' && output.split('\n').every((l) => /error TS\d+/.test(l) || /^\s/.test(l));
  if (allowTypeErrors && typeErrorsOnly) {
    const n = output.split('\n').filter((l) => /error TS\d+/.test(l)).length;
    console.error(
      `${output}\nbuild: ${n} type error(s) above; dist/ holds the JavaScript anyway (tsc --noEmit reports them)`,
    );
    return;
  }
  console.error(output || `tsc exited with ${r.status ?? r.signal}`);
  console.error('build: failed');
  process.exit(1);
}

/** Every non-TypeScript file beside the sources is a runtime asset: copied to the same place under dist/. */
function copyAssets() {
  let copied = 0;
  for (const root of SOURCE_ROOTS) {
    for (const file of walk(join(ROOT, root))) {
      if (file.endsWith('.ts')) continue;
      const target = join(DIST, relative(ROOT, file));
      const s = statSync(file);
      if (existsSync(target)) {
        const t = statSync(target);
        if (t.size === s.size && t.mtimeMs >= s.mtimeMs) continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
      copied++;
    }
  }
  return copied;
}

/** The source a dist file came from (compiled output → its .ts; anything else → the same path). */
function sourceOf(distFile) {
  const rel = relative(DIST, distFile);
  const compiled = /^(.*)\.(?:js|js\.map|d\.ts|d\.ts\.map)$/.exec(rel);
  const candidates = compiled ? [join(ROOT, `${compiled[1]}.ts`), join(ROOT, rel)] : [join(ROOT, rel)];
  return candidates.find((c) => existsSync(c));
}

/** Outputs of sources that were moved or deleted: they would otherwise linger in dist/ and in the package. */
function prune() {
  let removed = 0;
  for (const file of walk(DIST)) {
    if (KEEP.has(file) || sourceOf(file)) continue;
    rmSync(file);
    removed++;
  }
  return removed;
}

const started = Date.now() / 1000;
lock();
try {
  // Until this build has finished, dist/ is not current (bin/pyramid-nas.mjs runs the sources instead).
  rmSync(STAMP, { force: true });
  compile();
  const copied = copyAssets();
  const removed = prune();
  // tsc -b decides "up to date" by comparing source times with its build info: dated to the start, a
  // source saved while this build ran is seen as newer, and compiled next time.
  if (existsSync(BUILD_INFO)) utimesSync(BUILD_INFO, started, started);
  closeSync(openSync(STAMP, 'w'));
  utimesSync(STAMP, started, started);
  if (!quiet) console.log(`build: dist/ is current (${copied} asset(s) copied, ${removed} stale file(s) removed)`);
} finally {
  rmSync(LOCK, { force: true });
}
