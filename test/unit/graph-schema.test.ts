import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { SCHEMA_FILE, schemaFileText } from '../../src/graph/gen-schema.js';
import { GRAPH_LIMITS } from '../../src/graph/index.js';

test('the committed JSON Schema equals the generator output (run `npm run gen:schema` after changing schema.ts)', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), schemaFileText());
});

test('the JSON Schema carries the limits and rejects unknown keys', () => {
  const s = JSON.parse(schemaFileText());
  assert.equal(s.additionalProperties, false);
  assert.equal(s.properties.nodes.maxItems, GRAPH_LIMITS.maxNodes);
  assert.equal(s.properties.nodes.items.additionalProperties, false);
  assert.equal(s.properties.nodes.items.properties.inputs.maxItems, GRAPH_LIMITS.maxFanIn);
  assert.equal(s.properties.nodes.items.properties.id.pattern, GRAPH_LIMITS.idPattern.source);
  assert.deepEqual(s.required.sort(), ['channels', 'format', 'levels', 'name', 'nodes', 'outputs', 'repeats']);
});
