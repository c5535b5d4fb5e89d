import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { XMLValidator } from 'fast-xml-parser';

import { type PyramidGraph, renderDot, renderMermaid, renderSvg } from '../../src/graph/index.js';
import { graph, n, tinyFpn } from './graph-fixtures.js';

const zoo = (name: string) => JSON.parse(readFileSync(`search-spaces/zoo/${name}.graph.json`, 'utf8')) as PyramidGraph;
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe('renderSvg', () => {
  test('NAS-FPN: 5 backbone inputs, 7 cells (9 nodes with the explicit unused-feature sums), 5 outputs, legend', () => {
    const svg = renderSvg(zoo('nas-fpn'));
    assert.equal(XMLValidator.validate(svg), true);
    for (let l = 3; l <= 7; l++) {
      assert.equal(count(svg, new RegExp(`>C${l}</text>`, 'g')), 1, `C${l}`);
      assert.equal(count(svg, new RegExp(`>P${l}</text>`, 'g')), 1, `P${l}`);
      assert.equal(count(svg, new RegExp(`>level ${l}</text>`, 'g')), 1);
    }
    assert.equal(count(svg, /<rect [^>]*rx="7"/g), 9);
    for (const id of ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6'])
      assert.ok(svg.includes(`font-weight="bold">${id}</text>`), id);
    assert.ok(svg.includes('cell ×7'));
    assert.ok(svg.includes('attention → conv3×3'));
    assert.ok(svg.includes('>attention</text>') && svg.includes('>adaptive</text>'), 'legend');
    assert.ok(!/<(script|image|use|a)\b|href=|xlink/.test(svg), 'self-contained, no links');
    // one path per input edge + one per output
    const edges = zoo('nas-fpn').nodes.reduce((k, x) => k + x.inputs.length, 0) + 5;
    assert.equal(count(svg, /<path d="M[0-9.]+,[0-9.]+ C/g), edges);
  });

  test('text from the graph is escaped, never markup', () => {
    const g = { ...tinyFpn(), name: '<script>alert("x")</script> & co' };
    const svg = renderSvg(g);
    assert.equal(XMLValidator.validate(svg), true);
    assert.ok(!svg.includes('<script'));
    assert.ok(svg.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'));
  });

  test('control characters and lone surrogates still give well-formed XML', () => {
    const svg = renderSvg({ ...tinyFpn(), name: 'a\u0001b\ud800c' });
    assert.equal(XMLValidator.validate(svg), true);
  });

  test('dead nodes are drawn dashed', () => {
    const g = graph([...tinyFpn().nodes, n('dead', 4, 'mean', ['C3', 'C4'])], tinyFpn().outputs);
    assert.ok(renderSvg(g).includes('stroke-dasharray="4 3" opacity="0.55"'));
  });
});

describe('renderDot', () => {
  test('every node, edge and output; quotes in names escaped', () => {
    const dot = renderDot({ ...tinyFpn(), name: 'say "hi" \\ bye' });
    assert.ok(dot.startsWith('digraph "say \\"hi\\" \\\\ bye" {'));
    assert.ok(dot.includes('"C3" -> "node:b";'));
    assert.ok(dot.includes('"node:a" -> "node:b";'));
    assert.ok(dot.includes('"node:b" -> "P3";'));
    assert.equal(count(dot, / -> /g), 3 + 2);
  });
});

describe('renderMermaid', () => {
  test('a flowchart with generated ids; label text cannot inject syntax', () => {
    const g = graph(
      [n('a', 4, 'sum', ['C4']), n('b', 3, 'attention', ['C3', 'a'])],
      { P3: 'b', P4: 'a' },
      { name: 'x"]; click n0 "evil' },
    );
    const m = renderMermaid(g);
    assert.ok(m.startsWith('flowchart LR\n'));
    assert.ok(m.includes('  C3 --> n1\n') && m.includes('  n0 --> n1\n') && m.includes('  n1 --> P3\n'));
    assert.ok(m.includes('x#34;#93;#59; click n0 #34;evil'), 'the name is entity-encoded');
    assert.ok(!m.split('\n').some((line) => /^\s*click\b/.test(line)));
    assert.ok(m.includes('classDef attention fill:#f7c873'));
  });
});
