// The optional oneDNN build never stands in the way of an install: without a compiler (or oneDNN) the
// install hook's `--if-possible` prints one line and exits 0, leaving any built addon as it was, while
// `npm run build:native` says why it cannot and exits 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { test } from 'node:test';

const SCRIPT = 'scripts/build-native.mjs';
const ADDON = 'native/build/pyramid_nas_dnnl.node';
const noCompiler = { ...process.env, CXX: '/nonexistent/g++' };
const stamp = () => (existsSync(ADDON) ? statSync(ADDON).mtimeMs : undefined);

test('without a C++ compiler: --if-possible exits 0 with one line; a plain build exits 1 naming the reason', () => {
  const before = stamp();
  const hook = spawnSync(process.execPath, [SCRIPT, '--if-possible'], { env: noCompiler, encoding: 'utf8' });
  assert.equal(hook.status, 0, hook.stderr);
  assert.match(
    hook.stdout,
    /^pyramid-nas: native oneDNN kernels not built \(no C\+\+ compiler \(\/nonexistent\/g\+\+\)\); the wasm kernels are used\n$/,
  );
  const build = spawnSync(process.execPath, [SCRIPT], { env: noCompiler, encoding: 'utf8' });
  assert.equal(build.status, 1);
  assert.match(build.stderr, /build-native: no C\+\+ compiler/);
  assert.equal(stamp(), before, 'a built addon is left as it was');
});
