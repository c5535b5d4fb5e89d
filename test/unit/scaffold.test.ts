import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUSION_OPS, POST_OPS, GRAPH_FORMAT } from '../../src/index.js';

test('public API exposes the graph vocabulary', () => {
  assert.equal(GRAPH_FORMAT, 'pyramid-graph/1');
  assert.deepEqual([...FUSION_OPS].sort(), ['adaptive', 'attention', 'concat', 'mean', 'sum', 'weighted']);
  assert.deepEqual([...POST_OPS].sort(), ['conv', 'none', 'sepconv']);
});
