// The report's comparisons (fast-check; a failure prints its seed): two mean ± sd intervals are "apart"
// exactly when brute force over the two intervals finds no common point, the verdict does not depend on
// the order of the pair, and without an sd there is no verdict; the transfer check's ρ is +1 when the two
// datasets order the graphs alike and −1 when reversed, and it says where the winner is ahead of each baseline;
// the held-out check does the same between the AP a graph was selected on and its test AP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { heldOutAgreement, intervals, transferAgreement, versusBaselines } from '../../src/study/compare.js';
import type { StudyEvaluation, StudyEvaluationEntry } from '../../src/study/evaluation-file.js';

function entry(name: string, mean: number | null, sd: number | null, role = 'trial', macs = 1e9): StudyEvaluationEntry {
  const cost = { params: 1, macs, channels: 8 };
  return {
    name,
    role,
    hash: `h-${name}`,
    seedsDone: mean === null ? 0 : 3,
    AP: { mean, sd },
    proxyCost: cost,
    fullWidthCost: { ...cost, imageSize: 640 },
    trainSeconds: 1,
  };
}

function evaluation(entries: StudyEvaluationEntry[]): StudyEvaluation {
  return {
    format: 'pyramid-nas-evaluation/1',
    split: 'test',
    complete: true,
    request: {},
    task: { budget: 5, seeds: 3, testImages: 10, proxy: { dataset: 'shapes', imageSize: 64, steps: 3000 } },
    entries,
  };
}

const stat = fc.integer({ min: 0, max: 1000 }).map((x) => x / 1000);

describe('intervals', () => {
  test('apart exactly when the two mean ± sd intervals share no point; symmetric', () => {
    fc.assert(
      fc.property(stat, stat, stat, stat, (ma, sa, mb, sb) => {
        const a = entry('a', ma, sa);
        const b = entry('b', mb, sb);
        // Brute force on a grid of thousandths (every bound is a multiple of 1/1000).
        let shared = false;
        for (let k = -1000; k <= 2000 && !shared; k++) {
          const x = k / 1000;
          shared = x >= ma - sa - 1e-9 && x <= ma + sa + 1e-9 && x >= mb - sb - 1e-9 && x <= mb + sb + 1e-9;
        }
        assert.equal(intervals(a, b), shared ? 'overlapping' : 'apart');
        assert.equal(intervals(b, a), intervals(a, b));
      }),
    );
  });

  test('no verdict without both sds or both means', () => {
    assert.equal(intervals(entry('a', 0.4, null), entry('b', 0.3, 0.01)), undefined);
    assert.equal(intervals(entry('a', null, null), entry('b', 0.3, 0.01)), undefined);
  });
});

describe('versusBaselines', () => {
  test('names the difference, the interval verdict and the MACs ratio per baseline', () => {
    const g = entry('g', 0.45, 0.005, 'trial', 0.8e9);
    const text = versusBaselines(g, [
      entry('fpn', 0.41, 0.01, 'baseline'),
      entry('nas-fpn', 0.44, 0.01, 'baseline', 2e9),
    ]);
    assert.equal(
      text,
      'fpn: +4.0 AP (± sd apart) at 0.80× its full-width MACs; nas-fpn: +1.0 AP (± sd overlapping) at 0.40× its full-width MACs',
    );
  });
});

describe('transferAgreement', () => {
  test('ρ is +1 for the same order, −1 for the reverse, whatever the scale', () => {
    fc.assert(
      fc.property(fc.uniqueArray(stat, { minLength: 3, maxLength: 8 }), fc.boolean(), (aps, reverse) => {
        const names = aps.map((_, i) => `g${i}`);
        const test = evaluation(aps.map((ap, i) => entry(names[i], ap, 0.01)));
        const other = evaluation(aps.map((ap, i) => entry(names[i], reverse ? 1 - ap / 10 : ap / 10, 0.01)));
        const text = transferAgreement(test, other);
        assert.match(text, new RegExp(`ρ = ${reverse ? '-1\\.00' : '1\\.00'} .* over the ${aps.length} graphs`));
      }),
    );
  });

  test('says on which datasets the winner is ahead of each baseline; only graphs scored on both count', () => {
    const test = evaluation([
      entry('w', 0.5, 0.01),
      entry('fpn', 0.4, 0.01, 'baseline'),
      entry('bifpn', 0.6, 0.01, 'baseline'),
      entry('late', null, null),
    ]);
    const other = evaluation([
      entry('w', 0.08, 0.01),
      entry('fpn', 0.09, 0.01, 'baseline'),
      entry('bifpn', 0.07, 0.01, 'baseline'),
      entry('late', 0.5, 0.01),
    ]);
    const text = transferAgreement(test, other, 'h-w');
    assert.match(text, /over the 3 graphs scored on both/);
    assert.match(
      text,
      /The study's winner \(w\) against each baseline: fpn: ahead on test only; bifpn: ahead on transfer only\./,
    );
    assert.equal(
      transferAgreement(evaluation([entry('w', 0.5, 0.01)]), other),
      'Too few graphs scored on both datasets to compare their order.',
    );
  });
});

describe('heldOutAgreement', () => {
  test('ρ is +1 when held-out and test AP order the searched graphs alike, −1 when reversed; baselines do not count', () => {
    fc.assert(
      fc.property(fc.uniqueArray(stat, { minLength: 3, maxLength: 8 }), fc.boolean(), (aps, reverse) => {
        const entries = aps.map((ap, i) => ({ ...entry(`g${i}`, ap, 0.01), heldoutAP: reverse ? 1 - ap / 2 : ap / 2 }));
        const text = heldOutAgreement(evaluation([...entries, entry('fpn', 0.5, 0.01, 'baseline')]));
        assert.match(
          text,
          new RegExp(`ρ = ${reverse ? '-1\\.00' : '1\\.00'} .* over the ${aps.length} searched graphs`),
        );
      }),
    );
  });

  test('names the spread of both; too few graphs say so', () => {
    const text = heldOutAgreement(
      evaluation([
        { ...entry('a', 0.49, 0.01), heldoutAP: 0.43 },
        { ...entry('b', 0.48, 0.01), heldoutAP: 0.44 },
        { ...entry('c', null, null), heldoutAP: 0.45 },
      ]),
    );
    assert.equal(
      text,
      'Order agreement: Spearman ρ = -1.00 between held-out and test AP over the 2 searched graphs (held-out AP 43.0–44.0, test AP 48.0–49.0).',
    );
    assert.match(heldOutAgreement(evaluation([entry('fpn', 0.5, 0.01, 'baseline')])), /Too few searched graphs/);
  });
});
