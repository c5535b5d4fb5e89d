// The graph laws, each over ≥ 1000 generated graphs (fast-check prints the seed on failure).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';

import {
  canonicalize,
  formatIssue,
  graphHash,
  parseGraph,
  renderDot,
  renderMermaid,
  renderSvg,
} from '../../src/graph/index.js';
import {
  addDeadNodes,
  arbCorruptedGraph,
  arbGraph,
  assertEverySampleParses,
  assertHashInvariant,
  renameIds,
  shuffleNodes,
  swapCommutativeInputs,
} from '../../src/testing/index.js';

const RUNS = { numRuns: 1000 };

test('every valid graph parses', () => {
  assertEverySampleParses(arbGraph(), RUNS);
});

test('every valid graph parses (narrow level ranges, attention-heavy, wide fan-in)', () => {
  assertEverySampleParses(
    arbGraph({ minLevel: 3, maxLevel: 4, ops: ['attention', 'sum', 'concat'], maxFanIn: 8 }),
    RUNS,
  );
});

test('every corrupted graph is rejected with its error code at its path', () => {
  fc.assert(
    fc.property(arbCorruptedGraph(), ({ kind, graph, expect }) => {
      const r = parseGraph(graph);
      assert.equal(r.ok, false, `${kind} was accepted`);
      if (r.ok) return;
      const found = r.errors.some((e) => e.code === expect.code && e.path === expect.path);
      assert.ok(
        found,
        `${kind}: expected ${expect.code} at ${expect.path}, got ${r.errors.map((e) => `${e.code} ${formatIssue(e)}`).join(' | ')}`,
      );
    }),
    RUNS,
  );
});

test('JSON round-trip is the identity', () => {
  fc.assert(
    fc.property(arbGraph(), (g) => {
      const r = parseGraph(JSON.parse(JSON.stringify(g)));
      assert.ok(r.ok);
      if (r.ok) assert.deepEqual(r.graph, g);
    }),
    RUNS,
  );
});

test('hash is invariant under node shuffles', () => assertHashInvariant(arbGraph(), shuffleNodes, RUNS));
test('hash is invariant under id renames', () => assertHashInvariant(arbGraph(), renameIds, RUNS));
test('hash is invariant under commutative input swaps', () =>
  assertHashInvariant(arbGraph(), swapCommutativeInputs, RUNS));
test('hash is invariant under added dead nodes', () =>
  assertHashInvariant(arbGraph(), (g, seed) => addDeadNodes(g, 1 + (seed % 4), seed), RUNS));
test('hash is invariant under all of them at once', () =>
  assertHashInvariant(
    arbGraph(),
    (g, s) => swapCommutativeInputs(renameIds(shuffleNodes(addDeadNodes(g, s % 3, s), s + 1), s + 2), s + 3),
    RUNS,
  ));

test('canonicalize is idempotent, valid, and keeps the hash', () => {
  fc.assert(
    fc.property(arbGraph(), (g) => {
      const c = canonicalize(g);
      assert.ok(parseGraph(c).ok);
      assert.deepEqual(canonicalize(c), c);
      assert.equal(graphHash(c), graphHash(g));
    }),
    RUNS,
  );
});

test('renderers never throw and the SVG is well-formed XML', () => {
  fc.assert(
    fc.property(arbGraph(), (g) => {
      const svg = renderSvg(g);
      const check = XMLValidator.validate(svg);
      assert.equal(check, true, JSON.stringify(check));
      assert.equal(typeof renderDot(g), 'string');
      assert.equal(typeof renderMermaid(g), 'string');
    }),
    RUNS,
  );
});
