// Backend selection: with no native tfjs package the default is wasm; cpu can be forced; bad or
// unavailable names fail with a message that says what was asked and why it failed.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { currentBackend, initBackend } from '../../src/backend/index.js';

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const nativeInstalled = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');

test('importing the backend module loads no TensorFlow.js', () => {
  assert.equal(currentBackend(), null);
  assert.equal((globalThis as { _tfengine?: unknown })._tfengine, undefined);
});

test('unknown backend names are rejected', async () => {
  await assert.rejects(
    initBackend('webgpu'),
    /unknown backend 'webgpu': expected one of tensorflow, wasm, cpu \(or auto\)/,
  );
});

test(
  'default picks tensorflow when installed, else wasm, and says why',
  { skip: nativeInstalled && 'a native tfjs package is installed' },
  async () => {
    const choice = await initBackend();
    assert.equal(choice.name, 'wasm');
    assert.match(choice.detail, /tfjs-backend-wasm .*SIMD/);
    assert.match(choice.detail, /@tensorflow\/tfjs-node-gpu: not installed/);
    const tf = await import('@tensorflow/tfjs');
    assert.equal(tf.getBackend(), 'wasm');
  },
);

test('a second call returns the same choice', async () => {
  const a = await initBackend();
  const b = await initBackend();
  const c = await initBackend('auto');
  assert.deepEqual(b, a);
  assert.equal(c, a);
  assert.equal(b, currentBackend());
});

test(
  'naming an unavailable backend throws and keeps the current one',
  { skip: nativeInstalled && 'a native tfjs package is installed' },
  async () => {
    const was = currentBackend();
    await assert.rejects(
      initBackend('tensorflow'),
      /backend 'tensorflow' is not available: @tensorflow\/tfjs-node-gpu: not installed/,
    );
    assert.deepEqual(currentBackend(), was);
  },
);

test('cpu can be forced, and wasm chosen again', async () => {
  const tf = await import('@tensorflow/tfjs');
  const cpu = await initBackend('cpu');
  assert.equal(cpu.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  const wasm = await initBackend('wasm');
  assert.equal(wasm.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
});
