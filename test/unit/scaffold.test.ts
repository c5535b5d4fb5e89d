import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FUSION_OPS, GRAPH_FORMAT, POST_OPS } from '../../src/index.js';

test('public API exposes the graph vocabulary', () => {
  assert.equal(GRAPH_FORMAT, 'pyramid-graph/1');
  assert.deepEqual([...FUSION_OPS].sort(), [
    'adaptive',
    'attention',
    'concat',
    'cross-attention',
    'mean',
    'self-attention',
    'sum',
    'weighted',
  ]);
  assert.deepEqual([...POST_OPS].sort(), ['conv', 'none', 'sepconv']);
});
