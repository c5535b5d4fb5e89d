import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { formatPath, type GraphError, parseGraph, parseGraphFile, parseGraphText } from '../../src/graph/index.js';
import { graph, n, tinyFpn } from './graph-fixtures.js';

function errorsOf(json: unknown): GraphError[] {
  const r = parseGraph(json);
  assert.equal(r.ok, false, 'expected the graph to be rejected');
  return r.ok ? [] : r.errors;
}
function hasError(json: unknown, code: string, path: string, message?: RegExp) {
  const errors = errorsOf(json);
  const hit = errors.find((e) => e.code === code && e.path === path);
  assert.ok(hit, `no ${code} at ${path}; got ${JSON.stringify(errors)}`);
  if (message) assert.match(hit!.message, message);
}

describe('parseGraph accepts', () => {
  test('a minimal valid graph, with no warnings', () => {
    const r = parseGraph(tinyFpn());
    assert.ok(r.ok);
    if (r.ok) {
      assert.deepEqual(r.graph, tinyFpn());
      assert.deepEqual(r.warnings, []);
    }
  });
  test('a 1-input sum (FPN P6 from C6) and free-form meta', () => {
    assert.ok(parseGraph({ ...tinyFpn(), meta: { anything: [1, { deep: null }] } }).ok);
  });
  test('dead nodes, as warnings', () => {
    const g = graph([n('a', 4, 'sum', ['C4']), n('dead', 3, 'sum', ['C3']), n('b', 3, 'sum', ['C3', 'a'])], {
      P3: 'b',
      P4: 'a',
    });
    const r = parseGraph(g);
    assert.ok(r.ok);
    if (r.ok)
      assert.deepEqual(r.warnings, [{ code: 'DEAD_NODE', path: 'nodes[1]', message: 'node "dead" reaches no output' }]);
  });
});

describe('parseGraph rejects, with code and JSON path', () => {
  test('unknown input', () => {
    const g = tinyFpn();
    g.nodes[1].inputs[1] = 'p9';
    hasError(g, 'UNKNOWN_INPUT', 'nodes[1].inputs[1]', /unknown id "p9"/);
  });
  test('forward reference and self reference', () => {
    const g = graph([n('b', 3, 'sum', ['C3', 'a']), n('a', 4, 'sum', ['C4', 'a'])], { P3: 'b', P4: 'a' });
    hasError(g, 'FORWARD_REF', 'nodes[0].inputs[1]');
    hasError(g, 'SELF_REF', 'nodes[1].inputs[1]');
  });
  test('duplicate, malformed and reserved ids', () => {
    hasError(
      graph([n('a', 4, 'sum', ['C4']), n('a', 3, 'sum', ['C3'])], { P3: 'a', P4: 'a' }),
      'DUPLICATE_ID',
      'nodes[1].id',
      /first at nodes\[0\]/,
    );
    hasError(graph([n('a-b', 4, 'sum', ['C4'])], {}), 'BAD_ID', 'nodes[0].id');
    hasError(graph([n('C12', 4, 'sum', ['C4'])], {}), 'RESERVED_ID', 'nodes[0].id');
  });
  test('backbone inputs outside the level range, and C03', () => {
    const g = tinyFpn();
    g.nodes[0].inputs = ['C5', 'C03'];
    hasError(g, 'INPUT_LEVEL_RANGE', 'nodes[0].inputs[0]', /C5 is outside levels 3\.\.4/);
    hasError(g, 'UNKNOWN_INPUT', 'nodes[0].inputs[1]', /write C3/);
  });
  test('duplicate inputs', () =>
    hasError(graph([n('a', 4, 'sum', ['C4', 'C4'])], { P4: 'a' }), 'DUPLICATE_INPUT', 'nodes[0].inputs[1]'));
  test('arity: attention exactly 2, weighted/concat/mean/adaptive at least 2, any op at least 1', () => {
    for (const [op, inputs] of [
      ['attention', ['C3']],
      ['attention', ['C3', 'C4', 'a']],
      ['weighted', ['C3']],
      ['concat', ['C4']],
      ['mean', ['C3']],
      ['adaptive', ['C4']],
    ] as const) {
      const g = graph([n('a', 4, 'sum', ['C4']), n('b', 3, op, [...inputs])], { P3: 'b', P4: 'a' });
      hasError(g, 'ARITY', 'nodes[1].inputs', new RegExp(op));
    }
    hasError(graph([n('a', 4, 'sum', [])], { P4: 'a' }), 'ARITY', 'nodes[0].inputs');
  });
  test('fan-in above 8', () => {
    const g = graph(
      [
        n(
          'a',
          4,
          'sum',
          Array.from({ length: 9 }, (_, i) => `x${i}`),
        ),
      ],
      { P4: 'a' },
    );
    hasError(g, 'FAN_IN', 'nodes[0].inputs');
  });
  test('levels: node outside min..max, outside 1..9, min above max', () => {
    const g = tinyFpn();
    g.nodes[0].level = 5;
    hasError(g, 'LEVEL_RANGE', 'nodes[0].level', /outside levels 3\.\.4/);
    g.nodes[0].level = 10;
    hasError(g, 'LEVEL_RANGE', 'nodes[0].level', /1\.\.9/);
    hasError({ ...tinyFpn(), levels: { min: 4, max: 3 } }, 'LEVEL_RANGE', 'levels');
    hasError({ ...tinyFpn(), levels: { min: 0, max: 3 } }, 'LEVEL_RANGE', 'levels.min');
  });
  test('outputs: missing, wrong level, unknown, extra', () => {
    hasError({ ...tinyFpn(), outputs: { P3: 'b' } }, 'MISSING_OUTPUT', 'outputs.P4');
    hasError({ ...tinyFpn(), outputs: { P3: 'a', P4: 'a' } }, 'OUTPUT_LEVEL', 'outputs.P3', /level-3/);
    hasError({ ...tinyFpn(), outputs: { P3: 'b', P4: 'zz' } }, 'UNKNOWN_OUTPUT', 'outputs.P4');
    hasError({ ...tinyFpn(), outputs: { P3: 'b', P4: 'a', P5: 'a' } }, 'EXTRA_OUTPUT', 'outputs.P5');
    hasError({ ...tinyFpn(), outputs: { P3: 'b', P4: 'a', 'odd key': 'a' } }, 'EXTRA_OUTPUT', 'outputs["odd key"]');
  });
  test('limits: nodes, repeats, channels, name', () => {
    const many = Array.from({ length: 257 }, (_, i) => n(`x${i}`, 3, 'sum', ['C3']));
    hasError(graph(many, { P3: 'x0', P4: 'x0' }), 'LIMIT', 'nodes');
    hasError({ ...tinyFpn(), repeats: 17 }, 'LIMIT', 'repeats');
    hasError({ ...tinyFpn(), channels: 0 }, 'LIMIT', 'channels');
    hasError({ ...tinyFpn(), channels: 4097 }, 'LIMIT', 'channels');
    hasError({ ...tinyFpn(), name: 'x'.repeat(300) }, 'LIMIT', 'name');
  });
  test('schema: unknown keys at top level and in nodes, wrong types, wrong format, not an object', () => {
    hasError({ ...tinyFpn(), extra: 1 }, 'SCHEMA', 'extra', /unknown key "extra"/);
    const g = tinyFpn() as unknown as { nodes: Array<Record<string, unknown>> };
    g.nodes[1].weights = [1];
    hasError(g, 'SCHEMA', 'nodes[1].weights');
    hasError({ ...tinyFpn(), channels: '8' }, 'SCHEMA', 'channels', /expected number, got string/);
    hasError({ ...tinyFpn(), format: 'pyramid-graph/2' }, 'SCHEMA', 'format');
    hasError({ ...tinyFpn(), nodes: [{ ...tinyFpn().nodes[0], op: 'max' }] }, 'SCHEMA', 'nodes[0].op');
    hasError(null, 'SCHEMA', '$');
    const { name: _, ...noName } = tinyFpn();
    hasError(noName, 'SCHEMA', 'name', /missing/);
  });
});

describe('formatPath', () => {
  test('indices, keys, odd keys, root', () => {
    assert.equal(formatPath(['nodes', 3, 'inputs', 1]), 'nodes[3].inputs[1]');
    assert.equal(formatPath(['outputs', 'a b']), 'outputs["a b"]');
    assert.equal(formatPath([]), '$');
  });
});

describe('parseGraphFile / parseGraphText', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-parse-'));
  test('reads a valid file', async () => {
    const file = join(dir, 'ok.graph.json');
    writeFileSync(file, JSON.stringify(tinyFpn()));
    assert.equal((await parseGraphFile(file)).ok, true);
  });
  test('JSON syntax errors name line:column', () => {
    for (const [text, where] of [
      ['{\n  "a": 1,\n  ]', '3:3'],
      ['[1,]', '1:4'],
      ['{"a": tru}', '1:10'],
      ['', '1:1'],
      ['{"a": 1} x', '1:10'],
    ] as const) {
      const r = parseGraphText(text);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.errors[0].code, 'JSON');
        assert.match(r.errors[0].message, new RegExp(`at ${where}:`), text);
      }
    }
  });
  test('a missing file is an IO error', async () => {
    const r = await parseGraphFile(join(dir, 'nope.json'));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.errors[0].code, 'IO');
  });
});
