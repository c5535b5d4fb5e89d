// evaluation.svg's names: a name is written only where it overlaps no name already written, baselines first
// and then by test AP, so a crowd of graphs stays legible; every point keeps its name in its tooltip.
// fast-check draws the points; a failure prints its seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import { evaluationSvg } from '../../src/evaluate/plot.js';
import type { EntrySummary } from '../../src/evaluate/summary.js';

function row(name: string, role: EntrySummary['role'], ap: number, gmacs: number): EntrySummary {
  const cost = {
    params: 1,
    macs: gmacs * 1e9,
    channels: 256,
    repeats: 1,
    imageSize: 640,
    backbone: 'resnet50' as const,
  };
  return {
    name,
    role,
    source: name,
    hash: name,
    levels: { min: 3, max: 5 },
    seedsDone: 3,
    AP: { mean: ap, sd: 0.002, values: [ap, ap, ap] },
    AP50: ap,
    AP75: ap,
    APs: ap,
    APm: ap,
    APl: ap,
    proxyCost: cost,
    fullWidthCost: cost,
    trainSeconds: 1,
  };
}

/** The names written as labels (text elements whose content is an entry name), with their positions. */
function labels(svg: string, names: Set<string>): Array<{ name: string; x: number; y: number }> {
  return [...svg.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)" fill="[^"]+">([^<]+)<\/text>/g)]
    .filter((m) => names.has(m[3]))
    .map((m) => ({ name: m[3], x: Number(m[1]), y: Number(m[2]) }));
}

test('written names never overlap; a baseline is always named; every point has its tooltip', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 480, max: 500 }), fc.integer({ min: 70, max: 90 })), {
        minLength: 1,
        maxLength: 20,
      }),
      (points) => {
        const rows = [
          row('fpn', 'baseline', 0.48, 6.4),
          ...points.map(([ap, gm], i) => row(`trial-${i}`, 'trial', ap / 1000, gm / 10)),
        ];
        const svg = evaluationSvg(rows, 't');
        const written = labels(svg, new Set(rows.map((r) => r.name)));
        assert.ok(written.some((l) => l.name === 'fpn'));
        for (let i = 0; i < written.length; i++)
          for (let j = i + 1; j < written.length; j++) {
            const [a, b] = [written[i], written[j]];
            const apartX = a.x + 6.5 * a.name.length <= b.x || b.x + 6.5 * b.name.length <= a.x;
            const apartY = Math.abs(a.y - b.y) >= 13;
            assert.ok(apartX || apartY, `${a.name} and ${b.name} overlap`);
          }
        for (const r of rows) assert.ok(svg.includes(`<title>${r.name}: AP`), `${r.name} has no tooltip`);
      },
    ),
  );
});

test('twenty graphs on one spot get one name; a graph far from them keeps its own', () => {
  const rows = [
    ...Array.from({ length: 20 }, (_, i) => row(`g${i}`, 'trial', 0.49, 8.3)),
    row('far', 'trial', 0.52, 49),
  ];
  const written = labels(evaluationSvg(rows, 't'), new Set(rows.map((r) => r.name)));
  assert.deepEqual(written.map((l) => l.name).sort(), ['far', 'g0']);
});
