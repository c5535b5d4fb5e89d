// The evaluation task's hash keys every record of an evaluation journal. A task on the `shapes-fpn` backbone
// hashes as it did before `backboneWeights` existed (the key left out), so journals written then stay valid;
// a task on any other backbone hashes differently, so its records never mix with those.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';

import { evaluationTask } from '../../src/evaluate/index.js';
import { canonicalJsonText } from '../../src/trial/identity.js';

const input = (backboneWeights: 'shapes-fpn' | 'shapes-deep') => ({
  base: { steps: 10, heldoutImages: 16, backboneWeights },
  budget: 3,
  seeds: 2,
  testImages: 8,
});

describe('evaluation task hash and the backbone', () => {
  test('a shapes-fpn task hashes as the same task did before the key existed', () => {
    const task = evaluationTask(input('shapes-fpn'));
    assert.equal(task.proxy.backboneWeights, 'shapes-fpn');
    // What the hash was computed from before: the resolved task, which had no backboneWeights then.
    const { backboneWeights: _backboneWeights, ...before } = task.proxy;
    const expected = createHash('sha256')
      .update(canonicalJsonText({ proxy: before, testImages: 8, split: 'test' }))
      .digest('hex');
    assert.equal(task.hash, expected);
  });

  test('a shapes-deep task (the default) hashes differently', () => {
    const fpn = evaluationTask(input('shapes-fpn'));
    const deep = evaluationTask(input('shapes-deep'));
    assert.equal(deep.proxy.backboneWeights, 'shapes-deep');
    assert.notEqual(deep.hash, fpn.hash);
    const byDefault = evaluationTask({ base: { steps: 10, heldoutImages: 16 }, budget: 3, seeds: 2, testImages: 8 });
    assert.equal(byDefault.hash, deep.hash);
  });
});
