// The proxy-task schema (defaults, strictness, JSON-path errors) and the learning-rate schedule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { learningRateAt } from '../../src/train/index.js';
import { DEFAULT_PROXY_TASK, ProxyTaskError, proxyTaskSchema, resolveProxyTask } from '../../src/trial/proxy-task.js';

describe('proxy task config', () => {
  test('defaults fill every contract key', () => {
    const t = resolveProxyTask({});
    assert.deepEqual(t, DEFAULT_PROXY_TASK);
    for (const k of [
      'dataset',
      'imageSize',
      'steps',
      'batchSize',
      'channels',
      'maxRepeats',
      'trainImages',
      'heldoutImages',
      'seed',
    ] as const) {
      assert.ok(t[k] !== undefined, k);
    }
    assert.equal(t.dataset, 'shapes');
  });
  test('overrides win; undefined means default', () => {
    const t = resolveProxyTask({ steps: 7, imageSize: 96, backend: undefined });
    assert.equal(t.steps, 7);
    assert.equal(t.imageSize, 96);
    assert.equal(t.backend, undefined);
  });
  test('unknown keys and bad values are rejected with their JSON path', () => {
    assert.throws(
      () => resolveProxyTask({ stepz: 3 } as never),
      (e: unknown) => e instanceof ProxyTaskError && /stepz/.test(e.message),
    );
    assert.throws(
      () => resolveProxyTask({ steps: 0 }),
      (e: unknown) => e instanceof ProxyTaskError && e.issues[0].path === '$.steps',
    );
    assert.throws(
      () => resolveProxyTask({ dataset: 'mnist' as never }),
      (e: unknown) => e instanceof ProxyTaskError && e.issues[0].path === '$.dataset',
    );
    assert.throws(() => resolveProxyTask({ batchSize: 2.5 }), /batchSize/);
    assert.throws(
      () => resolveProxyTask({ runs: 0 }),
      (e: unknown) => e instanceof ProxyTaskError && e.issues[0].path === '$.runs',
    );
    assert.throws(
      () => resolveProxyTask({ runs: 17 }),
      (e: unknown) => e instanceof ProxyTaskError && e.issues[0].path === '$.runs',
    );
    assert.equal(proxyTaskSchema.safeParse({ backend: 'webgl' }).success, false);
  });
});

describe('learning-rate schedule', () => {
  test('linear warm-up to the peak, then cosine to zero', () => {
    const steps = 100,
      peak = 0.01,
      warmup = 10;
    assert.ok(Math.abs(learningRateAt(0, steps, peak, warmup) - 0.001) < 1e-12);
    assert.ok(Math.abs(learningRateAt(9, steps, peak, warmup) - peak) < 1e-12);
    assert.ok(Math.abs(learningRateAt(10, steps, peak, warmup) - peak) < 1e-12);
    assert.ok(Math.abs(learningRateAt(55, steps, peak, warmup) - peak / 2) < 1e-12);
    assert.ok(learningRateAt(99, steps, peak, warmup) < 1e-5);
    let prev = Infinity;
    for (let s = warmup; s < steps; s++) {
      const lr = learningRateAt(s, steps, peak, warmup);
      assert.ok(lr <= prev && lr >= 0);
      prev = lr;
    }
  });
});
