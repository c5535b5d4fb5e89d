import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { canonicalize, graphCost, graphHash, parseGraph, type PyramidGraph } from '../../src/graph/index.js';
import { graph, n, tinyFpn } from './graph-fixtures.js';

const nasFpn = (): PyramidGraph =>
  JSON.parse(readFileSync('search-spaces/zoo/nas-fpn.graph.json', 'utf8')) as PyramidGraph;

describe('graphHash', () => {
  test('is a sha256 hex digest', () => assert.match(graphHash(tinyFpn()), /^[0-9a-f]{64}$/));

  test('ignores node order, ids, name and meta', () => {
    const a = graph([n('x', 4, 'sum', ['C4']), n('y', 3, 'sum', ['C3']), n('z', 3, 'sum', ['y', 'x'])], {
      P3: 'z',
      P4: 'x',
    });
    const b = graph(
      [n('q', 3, 'sum', ['C3']), n('r', 4, 'sum', ['C4']), n('s', 3, 'sum', ['r', 'q'])],
      { P3: 's', P4: 'r' },
      { name: 'other', meta: { ap: 0.3 } },
    );
    assert.equal(graphHash(a), graphHash(b));
  });

  test('ignores dead nodes', () => {
    const g = tinyFpn();
    g.nodes.push(n('dead', 3, 'concat', ['C3', 'b']));
    assert.equal(graphHash(g), graphHash(tinyFpn()));
  });

  test('attention: the listed order does not matter across levels, and does at equal levels', () => {
    const att = (inputs: string[]) =>
      graph([n('a', 4, 'sum', ['C4']), n('b', 3, 'attention', inputs)], { P3: 'b', P4: 'a' });
    assert.equal(graphHash(att(['C3', 'a'])), graphHash(att(['a', 'C3'])));
    const same = (inputs: string[]) =>
      graph([n('a', 3, 'sum', ['C4']), n('b', 3, 'attention', inputs), n('c', 4, 'sum', ['C4'])], { P3: 'b', P4: 'c' });
    assert.notEqual(graphHash(same(['C3', 'a'])), graphHash(same(['a', 'C3'])));
  });

  test('commutative ops: input order does not matter', () => {
    for (const op of ['sum', 'mean', 'weighted', 'concat', 'adaptive'] as const) {
      const g = (inputs: string[]) => graph([n('a', 4, 'sum', ['C4']), n('b', 3, op, inputs)], { P3: 'b', P4: 'a' });
      assert.equal(graphHash(g(['C3', 'a', 'C4'])), graphHash(g(['C4', 'C3', 'a'])), op);
    }
  });

  test('sharing counts: one node read twice differs from two identical nodes', () => {
    const shared = graph([n('a', 3, 'sum', ['C3']), n('x', 4, 'sum', ['a']), n('y', 3, 'sum', ['a', 'C4'])], {
      P3: 'y',
      P4: 'x',
    });
    const split = graph(
      [n('a1', 3, 'sum', ['C3']), n('a2', 3, 'sum', ['C3']), n('x', 4, 'sum', ['a1']), n('y', 3, 'sum', ['a2', 'C4'])],
      { P3: 'y', P4: 'x' },
    );
    assert.notEqual(graphHash(shared), graphHash(split));
    assert.notEqual(graphCost(shared, { inputSize: 64 }).params, graphCost(split, { inputSize: 64 }).params);
  });

  test('repeats, channels and levels count', () => {
    const h = graphHash(tinyFpn());
    assert.notEqual(graphHash({ ...tinyFpn(), repeats: 2 }), h);
    assert.notEqual(graphHash({ ...tinyFpn(), channels: 16 }), h);
    const wider = graph(
      [n('a', 4, 'sum', ['C4']), n('b', 3, 'sum', ['C3', 'a']), n('c', 5, 'sum', ['C5'])],
      { P3: 'b', P4: 'a', P5: 'c' },
      { levels: { min: 3, max: 5 } },
    );
    assert.notEqual(graphHash(wider), h);
  });

  test('every single mutation of the NAS-FPN cell changes the hash', () => {
    const base = graphHash(nasFpn());
    const seen = new Set([base]);
    const mutants: Array<[string, (g: PyramidGraph) => void]> = [
      [
        'op b1 sum→mean',
        (g) => {
          g.nodes[1].op = 'mean';
        },
      ],
      [
        'op b0 attention→sum',
        (g) => {
          g.nodes[0].op = 'sum';
        },
      ],
      [
        'post b2 conv→sepconv',
        (g) => {
          g.nodes[2].post = 'sepconv';
        },
      ],
      [
        'post b4_gp none→conv',
        (g) => {
          g.nodes[4].post = 'conv';
        },
      ],
      [
        'level b1 4→5',
        (g) => {
          g.nodes[1].level = 5;
        },
      ],
      [
        'level b0 4→3',
        (g) => {
          g.nodes[0].level = 3;
        },
      ],
      [
        'input b1: C4→C5',
        (g) => {
          g.nodes[1].inputs[0] = 'C5';
        },
      ],
      [
        'input b3: b1→b0',
        (g) => {
          g.nodes[3].inputs[0] = 'b0';
        },
      ],
      [
        'extra input b2 + C4',
        (g) => {
          g.nodes[2].inputs.push('C4');
        },
      ],
      [
        'output P4 → b1',
        (g) => {
          g.outputs.P4 = 'b1';
        },
      ],
    ];
    for (const [what, mutate] of mutants) {
      const g = nasFpn();
      mutate(g);
      assert.ok(parseGraph(g).ok, `${what} should stay valid`);
      const h = graphHash(g);
      assert.ok(!seen.has(h), `${what} gave a hash already seen`);
      seen.add(h);
    }
  });
});

describe('canonicalize', () => {
  test('renames to n0.. in a topological order, drops dead nodes, keeps name and meta', () => {
    const g = graph(
      [n('dead', 3, 'sum', ['C3']), n('zz', 4, 'sum', ['C4']), n('aa', 3, 'sum', ['zz', 'C3'])],
      { P4: 'zz', P3: 'aa' },
      { meta: { k: 1 } },
    );
    const c = canonicalize(g);
    assert.deepEqual(
      c.nodes.map((x) => x.id),
      ['n0', 'n1'],
    );
    assert.equal(c.name, 'tiny');
    assert.deepEqual(c.meta, { k: 1 });
    assert.deepEqual(Object.keys(c.outputs), ['P3', 'P4']);
    const b = c.nodes.find((x) => x.level === 3)!;
    assert.deepEqual(b.inputs, ['C3', c.outputs.P4]);
    assert.ok(parseGraph(c).ok);
    assert.deepEqual(canonicalize(c), c);
  });

  test('symmetric twins (two identical nodes read by one node) canonicalize the same either way round', () => {
    const twins = (order: number[]) => {
      const nodes = [n('t1', 3, 'sum', ['C3', 'C4']), n('t2', 3, 'sum', ['C4', 'C3'])];
      return graph([...order.map((i) => nodes[i]), n('z', 3, 'concat', ['t2', 't1']), n('p', 4, 'sum', ['t1'])], {
        P3: 'z',
        P4: 'p',
      });
    };
    assert.deepEqual(canonicalize(twins([0, 1])).nodes, canonicalize(twins([1, 0])).nodes);
    assert.equal(graphHash(twins([0, 1])), graphHash(twins([1, 0])));
  });

  test('the attention inputs come out as [f, g] by level', () => {
    const g = graph([n('a', 4, 'sum', ['C4']), n('b', 3, 'attention', ['a', 'C3'])], { P3: 'b', P4: 'a' });
    const c = canonicalize(g);
    const att = c.nodes.find((x) => x.op === 'attention')!;
    assert.equal(att.inputs[0], 'C3');
  });
});

describe('canonical form of symmetric graphs (colour refinement alone cannot tell the nodes apart)', () => {
  // Eight identical nodes a1..a8, eight identical sums b1..b8 over pairs of them: one 8-cycle (a1..a4)
  // next to two 4-cycles (a5,a6 and a7,a8), all read by one concat. Every a has 2 consumers and every b
  // 2 inputs, so refinement leaves them in one cell; individualisation + automorphism pruning must still
  // give one hash for every node order and id choice.
  const symmetric = (): PyramidGraph => {
    const nodes = Array.from({ length: 8 }, (_, i) => n(`a${i + 1}`, 3, 'sum', ['C3']));
    const pairs = [
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 1],
      [5, 6],
      [6, 5],
      [7, 8],
      [8, 7],
    ];
    pairs.forEach(([x, y], k) => nodes.push(n(`b${k + 1}`, 3, 'sum', [`a${x}`, `a${y}`])));
    nodes.push(
      n(
        'z',
        3,
        'concat',
        pairs.map((_, k) => `b${k + 1}`),
      ),
    );
    return graph(nodes, { P3: 'z' }, { levels: { min: 3, max: 3 } });
  };
  test('one hash over 30 shuffles and renames; rewiring the 4-cycles into an 8-cycle changes it', async () => {
    const { shuffleNodes, renameIds } = await import('../../src/testing/index.js');
    const g = symmetric();
    const hashes = new Set<string>();
    for (let seed = 0; seed < 30; seed++) hashes.add(graphHash(renameIds(shuffleNodes(g, seed), seed)));
    assert.equal(hashes.size, 1);
    const rewired = symmetric();
    // b5..b8 over (a5,a6) (a6,a7) (a7,a8) (a8,a5): the two 4-cycles become a second 8-cycle.
    [
      ['a5', 'a6'],
      ['a6', 'a7'],
      ['a7', 'a8'],
      ['a8', 'a5'],
    ].forEach((pair, k) => {
      rewired.nodes[12 + k].inputs = pair;
    });
    assert.ok(parseGraph(rewired).ok);
    assert.notEqual(graphHash(rewired), graphHash(g));
  });
});

describe('canonical form of a tree of identical nodes (twins and automorphic subtrees)', () => {
  test('64 identical leaves under 8 concats under one concat: one hash for any order', async () => {
    const { shuffleNodes, renameIds } = await import('../../src/testing/index.js');
    const nodes = Array.from({ length: 64 }, (_, i) => n(`l${i}`, 3, 'sum', ['C3']));
    for (let k = 0; k < 8; k++)
      nodes.push(
        n(
          `c${k}`,
          3,
          'concat',
          Array.from({ length: 8 }, (_, j) => `l${8 * k + j}`),
        ),
      );
    nodes.push(
      n(
        'top',
        3,
        'concat',
        Array.from({ length: 8 }, (_, k) => `c${k}`),
      ),
    );
    const g = graph(nodes, { P3: 'top' }, { levels: { min: 3, max: 3 } });
    assert.ok(parseGraph(g).ok);
    const h = graphHash(g);
    for (const seed of [1, 2, 3]) assert.equal(graphHash(renameIds(shuffleNodes(g, seed), seed)), h);
  });
});
