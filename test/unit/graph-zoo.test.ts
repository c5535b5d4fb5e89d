// Golden tests of the reference zoo: each graph validates with no warnings, and its canonical hash, params
// and MACs (at 128 px, proxy backbone channels) are pinned. A change to a zoo file, to the canonical form
// or to the cost model shows up here; update the pins only for an intended change.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  formatIssue,
  graphCost,
  graphHash,
  type GraphNode,
  parseGraph,
  type PyramidGraph,
} from '../../src/graph/index.js';

const GOLDEN: Record<string, { nodes: number; params: number; macs: number; hash: string }> = {
  asff: {
    nodes: 11,
    params: 6032655,
    macs: 406355712,
    hash: '02c0db684788b7952fa09f0968ad66dd31166cb79ca9537041087f10a24a37a6',
  },
  'balanced-fpn': {
    nodes: 12,
    params: 3667456,
    macs: 242712576,
    hash: 'e1f723e65e72ac87b6a512856ed3559e935fb30cbde5a67cb4732d3a821e6ba7',
  },
  bifpn: {
    nodes: 8,
    params: 146617,
    macs: 6915264,
    hash: 'c6d07b6d9091d3d4d300462898c3096f17f4f3af9b254e4666d23fc12a5be801',
  },
  efm: {
    nodes: 11,
    params: 6882048,
    macs: 456294400,
    hash: 'e52f208a72c635990fd38bf18f73a7cc3b8a4f68652c0e51b651fc301f9c6857',
  },
  fpg: {
    nodes: 45,
    params: 26690560,
    macs: 1814003712,
    hash: '3c005da42940e7d6032d84a906097886aff8769a523a566a7e44f610ae5dac0d',
  },
  fpn: {
    nodes: 6,
    params: 3077120,
    macs: 204963840,
    hash: '39c5f383895e728ca7521fbc86bcd22fcb27832df2bd4ca0af4a7a08b9001f76',
  },
  fpt: {
    nodes: 24,
    params: 9765632,
    macs: 703063040,
    hash: 'd7ac646d08f84887fe3324ba76537fd87f5ce8bfd834200fb40c31e00fa89717',
  },
  rfp: {
    nodes: 6,
    params: 3200737,
    macs: 413848832,
    hash: '3a0ff7be38e00e3fca903ef4e6ec3e2d2fa1266f3689c71b4053ab4a956d1d7d',
  },
  mlfpn: {
    nodes: 77,
    params: 46203136,
    macs: 3663724544,
    hash: 'd88accd3aa16426430090b38e25364ca93ab74d922de1a2594dd0d6f2ffebc16',
  },
  'nas-fpn': {
    nodes: 9,
    params: 29051904,
    macs: 1940226048,
    hash: '811dbb3cb30801322d0fd787828430700ee797bc5ca5f9e6f2f56c27dd453224',
  },
  pafpn: {
    nodes: 10,
    params: 5438464,
    macs: 255098880,
    hash: '722d11de7b3d5779acf3784a52ebed32413a72153e4429376b0aab774cd2c30f',
  },
};

const DIR = 'search-spaces/zoo';
const load = (name: string): PyramidGraph => {
  const r = parseGraph(JSON.parse(readFileSync(`${DIR}/${name}.graph.json`, 'utf8')));
  assert.ok(r.ok, r.ok ? '' : r.errors.map(formatIssue).join('; '));
  return r.ok ? r.graph : (undefined as never);
};

describe('zoo', () => {
  test('holds exactly the pinned graphs', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.graph.json'))
      .map((f) => f.replace('.graph.json', ''))
      .sort();
    assert.deepEqual(files, Object.keys(GOLDEN).sort());
  });

  for (const [name, pin] of Object.entries(GOLDEN)) {
    test(`${name}: valid, no dead nodes, levels 3..7, provenance, pinned hash/params/MACs`, () => {
      const r = parseGraph(JSON.parse(readFileSync(`${DIR}/${name}.graph.json`, 'utf8')));
      assert.ok(r.ok);
      if (!r.ok) return;
      assert.deepEqual(r.warnings, []);
      const g = r.graph;
      assert.equal(g.name, name);
      assert.deepEqual(g.levels, { min: 3, max: 7 });
      const source = g.meta?.source as { paper?: string; year?: number } | undefined;
      assert.ok(source?.paper && Number.isInteger(source.year), 'meta.source has paper and year');
      assert.ok(
        Array.isArray(g.meta?.approximations) && (g.meta.approximations as unknown[]).length > 0,
        'meta.approximations',
      );
      const cost = graphCost(g, { inputSize: 128 });
      assert.deepEqual({ nodes: g.nodes.length, params: cost.params, macs: cost.macs, hash: graphHash(g) }, pin);
    });
  }

  test('FPN by hand: 256 channels, 128 px (sides 16, 8, 4, 2, 1 at levels 3..7)', () => {
    // Projections of C3..C7 (32, 64, 128, 128, 128 channels): params (32+64+128·3)·256 + 5·2·256 = 125,440;
    // MACs 256·(16²·32 + 8²·64 + 4²·128 + 2²·128 + 1²·128) = 3,833,856.
    // Five 3×3 output convs: params 5·(9·256² + 2·256) = 2,951,680; MACs 9·256²·(256+64+16+4+1) = 201,129,984.
    const c = graphCost(load('fpn'), { inputSize: 128 });
    assert.equal(c.projection.params, 125_440);
    assert.equal(c.projection.macs, 3_833_856);
    assert.equal(c.params, 125_440 + 2_951_680);
    assert.equal(c.macs, 3_833_856 + 201_129_984);
  });

  test('BiFPN D0 by hand: 64 channels, 3 repeats, sepconv + fast normalized fusion', () => {
    // per copy: 8 sepconvs of 9·64 + 64² + 2·64 = 4,800 params, plus 19 fusion weights → 38,419; × 3 = 115,257
    // projection: (32+64+128·3)·64 + 5·128 = 31,360
    const c = graphCost(load('bifpn'), { inputSize: 128 });
    assert.equal(c.params, 115_257 + 31_360);
  });

  test('NAS-FPN equals an independent decode of the published block specs with the unused-feature rule', () => {
    const specs: Array<[number, 'sum' | 'attention', [number, number], boolean]> = [
      [4, 'attention', [1, 3], false],
      [4, 'sum', [1, 5], false],
      [3, 'sum', [0, 6], true],
      [4, 'sum', [6, 7], true],
      [5, 'attention', [7, 8], true],
      [7, 'attention', [6, 9], true],
      [6, 'attention', [9, 10], true],
    ];
    const feats = [3, 4, 5, 6, 7].map((l) => ({ ref: `C${l}`, level: l, consumers: 0 }));
    const nodes: GraphNode[] = [];
    const outputs: Record<string, string> = {};
    for (const [level, op, [a, b], isOutput] of specs) {
      feats[a].consumers++;
      feats[b].consumers++;
      const unused = isOutput ? feats.filter((f) => f.level === level && f.consumers === 0) : [];
      for (const f of unused) f.consumers++;
      const id = `cell${feats.length}`;
      if (unused.length === 0) nodes.push({ id, level, op, inputs: [feats[a].ref, feats[b].ref], post: 'conv' });
      else if (op === 'sum')
        nodes.push({ id, level, op, inputs: [feats[a].ref, feats[b].ref, ...unused.map((f) => f.ref)], post: 'conv' });
      else {
        nodes.push({ id: `${id}_att`, level, op, inputs: [feats[a].ref, feats[b].ref], post: 'none' });
        nodes.push({ id, level, op: 'sum', inputs: [`${id}_att`, ...unused.map((f) => f.ref)], post: 'conv' });
      }
      feats.push({ ref: id, level, consumers: 0 });
      if (isOutput) outputs[`P${level}`] = id;
    }
    const decoded: PyramidGraph = {
      format: 'pyramid-graph/1',
      name: 'decoded',
      levels: { min: 3, max: 7 },
      channels: 256,
      repeats: 7,
      nodes,
      outputs,
    };
    assert.ok(parseGraph(decoded).ok);
    assert.equal(graphHash(decoded), GOLDEN['nas-fpn'].hash);
    // The worked example of the graph format: the P5 block absorbs C5 and the P7 block absorbs C7.
    const zoo = load('nas-fpn');
    const byId = new Map(zoo.nodes.map((x) => [x.id, x]));
    assert.deepEqual(
      byId.get(zoo.outputs.P5)!.inputs.filter((r) => r.startsWith('C')),
      ['C5'],
    );
    assert.deepEqual(
      byId.get(zoo.outputs.P7)!.inputs.filter((r) => r.startsWith('C')),
      ['C7'],
    );
    assert.equal(zoo.nodes.filter((x) => x.post === 'conv').length, 7, '7 cells, each ending in a conv');
  });
});
