#!/usr/bin/env node
// Builds the optional oneDNN addon native/build/pyramid_nas_dnnl.node with plain g++ against the running Node's
// own headers (<node prefix>/include/node) and the system's oneDNN (Debian: libdnnl-dev). Nothing is downloaded.
// Skips the compile when the addon is newer than its sources.
//
//   node scripts/build-native.mjs                 build; exit 1 with the reason when it cannot (npm run build:native)
//   node scripts/build-native.mjs --if-possible   build when g++, the Node headers and oneDNN are there; otherwise
//                                                 print one line and exit 0 (npm's install hook: never fails)
//   node scripts/build-native.mjs --force         compile even when the addon looks up to date
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['native/addon.cc', 'native/conv.cc', 'native/conv.h'].map((f) => join(ROOT, f));
const OUT_DIR = join(ROOT, 'native', 'build');
const OUT = join(OUT_DIR, 'pyramid_nas_dnnl.node');
const args = new Set(process.argv.slice(2));
const ifPossible = args.has('--if-possible');

function give(reason) {
  if (ifPossible) {
    console.log(`pyramid-nas: native oneDNN kernels not built (${reason}); the wasm kernels are used`);
    process.exit(0);
  }
  console.error(`build-native: ${reason}`);
  process.exit(1);
}

try {
  if (!SOURCES.every((f) => existsSync(f))) give('native/ sources are missing');
  const compiler = process.env.CXX || 'g++';
  if (spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status !== 0) give(`no C++ compiler (${compiler})`);
  const nodeInclude = join(dirname(process.execPath), '..', 'include', 'node');
  if (!existsSync(join(nodeInclude, 'node_api.h'))) give(`no Node headers at ${nodeInclude}`);
  const includeDirs = ['/usr/include', '/usr/local/include', ...(process.env.CPATH ?? '').split(':').filter(Boolean)];
  if (!includeDirs.some((d) => existsSync(join(d, 'oneapi', 'dnnl', 'dnnl.hpp')))) {
    give('oneDNN headers not found (Debian: apt-get install libdnnl-dev)');
  }
  const newest = Math.max(...[...SOURCES, fileURLToPath(import.meta.url)].map((f) => statSync(f).mtimeMs));
  if (!args.has('--force') && existsSync(OUT) && statSync(OUT).mtimeMs > newest) {
    if (!ifPossible) console.log(`build-native: ${OUT} is up to date`);
    process.exit(0);
  }
  mkdirSync(OUT_DIR, { recursive: true });
  // Written beside the target, then renamed: a process loading the addon never sees a half-written file.
  const tmp = `${OUT}.${process.pid}.tmp`;
  const cc = spawnSync(
    compiler,
    [
      '-std=c++17',
      '-O2',
      '-fPIC',
      '-shared',
      '-DNODE_GYP_MODULE_NAME=pyramid_nas_dnnl',
      `-I${nodeInclude}`,
      `-I${join(ROOT, 'native')}`,
      ...SOURCES.filter((f) => f.endsWith('.cc')),
      '-o',
      tmp,
      '-ldnnl',
      '-lgomp',
    ],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) {
    rmSync(tmp, { force: true });
    const first = `${cc.stderr ?? ''}${cc.error?.message ?? ''}`.split('\n').find((l) => /error/i.test(l));
    give(`${compiler} failed: ${(first ?? `exit ${cc.status}`).trim().slice(0, 200)}`);
  }
  renameSync(tmp, OUT);
  console.log(`build-native: built ${OUT}`);
} catch (err) {
  give(err instanceof Error ? err.message : String(err));
}
