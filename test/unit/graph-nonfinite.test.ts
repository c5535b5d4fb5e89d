// A graph built in code (not parsed from text) can hold Infinity or NaN where a number belongs; parseGraph
// says so in words instead of zod's self-contradicting "expected number, got number".
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseGraph } from '../../src/graph/index.js';
import { n, tinyFpn } from './graph-fixtures.js';

function errorsOf(value: unknown): Array<{ code: string; path: string; message: string }> {
  const r = parseGraph(value);
  assert.equal(r.ok, false);
  return r.ok ? [] : r.errors;
}

test('Infinity, -Infinity and NaN where a number belongs: "must be a finite number, got …" at the path', () => {
  for (const bad of [Infinity, -Infinity]) {
    const [e] = errorsOf({ ...tinyFpn(), channels: bad });
    assert.equal(e.path, 'channels');
    assert.match(e.message, new RegExp(`^must be a finite number, got ${String(bad)}`));
  }
  const [nan] = errorsOf({ ...tinyFpn(), repeats: NaN });
  assert.deepEqual(nan, { code: 'SCHEMA', path: 'repeats', message: 'must be a finite number, got NaN' });
  const g = tinyFpn();
  const [level] = errorsOf({ ...g, nodes: [{ ...n('a', 4, 'sum', ['C4']), level: Infinity }, g.nodes[1]] });
  assert.equal(level.path, 'nodes[0].level');
  assert.match(level.message, /^must be a finite number, got Infinity/);
});

test('other wrong types keep their wording: a non-finite number where a string belongs is just a number', () => {
  assert.deepEqual(
    errorsOf({ ...tinyFpn(), channels: '8' }).map((e) => e.message),
    ['expected number, got string'],
  );
  assert.deepEqual(
    errorsOf({ ...tinyFpn(), name: Infinity }).map((e) => e.message),
    ['expected string, got number'],
  );
});
