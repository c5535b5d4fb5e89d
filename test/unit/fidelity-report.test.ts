// The fidelity report's summary lines are computed per seed: the pyramid gap (FPN minus the best single
// level) and the best pyramid's margin over the best single level, from rows built by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { printReport, type Row } from '../../bench/fidelity-report.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';

const row = (graph: string, budget: number, seed: number, AP: number): Row => ({
  graph,
  budget,
  seed,
  task: 'synthetic',
  AP,
  runAPs: [AP],
  AP50: AP,
  APs: AP,
  APm: AP,
  seconds: 1,
  trainSeconds: 1,
  evalSeconds: 0,
  params: 1,
  macs: 1,
});

/** Every line printReport logs for these rows. */
function report(rows: Row[], budgets: number[]): string[] {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    printReport({ rows, base: DEFAULT_PROXY_TASK, budgets, seeds: [0, 1], zoo: ['fpn', 'pafpn', 'bifpn'] });
  } finally {
    console.log = log;
  }
  return lines;
}

// Seed 0: FPN 0.40, C3 0.42, PAFPN 0.45; seed 1: FPN 0.41, C3 0.40, PAFPN 0.43. C4 and C5 lower.
const rows = [
  ...[0, 1].flatMap((s) => [
    row('fpn', 1, s, s ? 0.41 : 0.4),
    row('single-level-c3', 1, s, s ? 0.4 : 0.42),
    row('single-level-c4', 1, s, 0.3),
    row('single-level-c5', 1, s, 0.2),
    row('pafpn', 1, s, s ? 0.43 : 0.45),
    row('bifpn', 1, s, 0.39),
  ]),
  row('fpn', 5, 0, 0.47),
  row('pafpn', 5, 0, 0.48),
  row('bifpn', 5, 0, 0.46),
];

describe('fidelity report', () => {
  test('pyramid gap: FPN minus the best single level of the same seed, mean ± sd', () => {
    const line = report(rows, [1, 5]).find((l) => l.startsWith('×1: pyramid gap'));
    // Gaps −0.02 (seed 0) and +0.01 (seed 1): mean −0.5, sd 2.12 (× 100).
    assert.match(line ?? '', /= -0\.50 ± 2\.12 AP over 2 seed\(s\); FPN 40\.50 ± 0\.71/);
  });

  test('the best pyramid by mean AP against the best single level, per seed', () => {
    const line = report(rows, [1, 5]).find((l) => l.startsWith('×1: best of'));
    // PAFPN has the best mean (0.44); its margins are +0.03 and +0.03.
    assert.match(line ?? '', /best of 3 pyramids \(pafpn\) − max single level = 3\.00 ± 0\.00 AP over 2 seed\(s\)/);
  });

  test('the literature order at the top budget names each comparison', () => {
    const line = report(rows, [1, 5]).find((l) => l.includes('literature order'));
    assert.equal(line, '×5: literature order: PAFPN ≥ FPN: yes (48.00 vs 47.00); BiFPN ≥ FPN: no (46.00 vs 47.00)');
  });

  test('no gap line at a budget without single-level rows', () => {
    assert.equal(
      report(rows, [1, 5]).some((l) => l.startsWith('×5: pyramid gap') || l.startsWith('×5: best of')),
      false,
    );
  });
});
