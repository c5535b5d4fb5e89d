// When a pool child is replaced: after an engine error or any unexpected error (its state is not trusted),
// a timeout or a cancellation (it was killed), after maxTrialsPerChild trials, or when its resident memory
// after a trial is over maxChildRssMB; never after a clean result or an invalid-job refusal within limits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { concurrencyWarning } from '../../src/campaign/queue/embedded.js';
import { DEFAULT_RECYCLE_POLICY, isEngineError, retireReason } from '../../workers/child-lifecycle.js';

const policy = { maxTrialsPerChild: 3, maxChildRssMB: 1000 };

describe('pool child lifecycle policy', () => {
  test('engine errors are recognised by name and by message', () => {
    const { RuntimeError } = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly;
    for (const e of [
      new RuntimeError('memory access out of bounds'),
      { name: 'Error', message: 'memory access out of bounds' },
      { name: 'RangeError', message: 'Array buffer allocation failed' },
      { name: 'Error', message: 'Aborted(OOM)' },
      { name: 'Error', message: "Backend 'wasm' has not yet been initialized" },
      { name: 'Error', message: 'Failed to allocate 4096 MB' },
    ])
      assert.ok(isEngineError(e), `${e.name}: ${e.message}`);
    for (const e of [
      { name: 'Error', message: 'fake transient failure in trial c-1' },
      { name: 'TypeError', message: 'x is undefined' },
    ]) {
      assert.equal(isEngineError(e), false, e.message);
    }
  });

  test('a child is retired after a thrown error, a timeout or a cancellation, whatever its count and memory', () => {
    assert.equal(
      retireReason(
        { kind: 'error', error: { name: 'RuntimeError', message: 'memory access out of bounds' } },
        1,
        10,
        policy,
      ),
      'engine-error',
    );
    assert.equal(retireReason({ kind: 'error', error: { name: 'Error', message: 'boom' } }, 1, 10, policy), 'error');
    assert.equal(retireReason({ kind: 'timeout' }, 1, undefined, policy), 'timeout');
    assert.equal(retireReason({ kind: 'cancelled' }, 1, undefined, policy), 'cancelled');
  });

  test('after a clean answer it is kept until its trial count or memory is over the policy', () => {
    assert.equal(retireReason({ kind: 'result' }, 1, 999, policy), undefined);
    assert.equal(retireReason({ kind: 'invalid' }, 2, 10, policy), undefined);
    assert.equal(retireReason({ kind: 'result' }, 3, 10, policy), 'max-trials');
    assert.equal(retireReason({ kind: 'invalid' }, 3, 10, policy), 'max-trials');
    assert.equal(retireReason({ kind: 'result' }, 1, 1001, policy), 'max-rss');
    assert.ok(
      DEFAULT_RECYCLE_POLICY.maxTrialsPerChild >= 1 && DEFAULT_RECYCLE_POLICY.maxChildRssMB > 600,
      'the defaults keep a default-proxy trial process',
    );
  });

  test('embedded concurrency above the core count is warned about, with the cost', () => {
    assert.equal(concurrencyWarning(2, 2), undefined);
    const w = concurrencyWarning(1024, 2)!;
    assert.match(w, /concurrency 1024 is more than this machine's 2 cores/);
    assert.match(w, /one process per running trial/);
    assert.match(w, /500 MB resident each/);
    assert.match(w, /about 512 GB for 1024/);
  });
});
