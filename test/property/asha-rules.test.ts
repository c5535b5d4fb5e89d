// The successive-halving promotion rule (src/campaign/scheduler/asha.ts) under any order of results,
// against a brute-force statement of it: a promotion is always a complete trial in the top ⌊n/η⌋ of its
// rung's results at that moment, never promoted out of that rung before; the rule does not depend on the
// order results arrived in; and once it promotes nothing more, every trial the rule lets through is promoted.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import { AshaRungs, rungSteps } from '../../src/campaign/scheduler/asha.js';

interface Res {
  index: number;
  reward: number;
  complete: boolean;
}

/** The rule written out: rung k's results sorted by reward (ties: lower index), the first ⌊n/η⌋. */
function bruteTop(results: Res[], eta: number): Set<number> {
  const sorted = [...results].sort((a, b) => (a.reward !== b.reward ? b.reward - a.reward : a.index - b.index));
  return new Set(sorted.slice(0, Math.floor(results.length / eta)).map((r) => r.index));
}

// Few distinct rewards, so ties are common; some failures.
const result = fc.record({ reward: fc.integer({ min: 0, max: 6 }).map((x) => x / 6), complete: fc.boolean() });
const scenario = fc.record({
  eta: fc.constantFrom(2, 3, 4),
  rungs: fc.integer({ min: 2, max: 4 }),
  // Rung-0 results of trials 0..n-1 and the results their promotions will get, rung by rung.
  trials: fc.array(fc.array(result, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 40 }),
  // The interleaving: at each step, either add the next new trial's rung-0 result or run one promotion.
  schedule: fc.array(fc.boolean(), { minLength: 0, maxLength: 200 }),
});

test('every promotion is in the top 1/η of its rung at that moment, at most once per rung, whatever the interleaving', () => {
  fc.assert(
    fc.property(scenario, ({ eta, rungs: rungCount, trials, schedule }) => {
      const steps = Array.from({ length: rungCount }, (_, k) => 10 * 2 ** k);
      const rungs = new AshaRungs(steps, eta);
      const seen: Res[][] = steps.map(() => []);
      const promoted: Array<Set<number>> = steps.map(() => new Set());
      let nextTrial = 0;
      const addResult = (rung: number, index: number) => {
        const r = { index, ...trials[index][rung] };
        rungs.record(rung, r);
        seen[rung].push(r);
      };
      const promoteOnce = (): boolean => {
        const p = rungs.nextPromotion();
        if (!p) return false;
        const from = p.rung - 1;
        assert.ok(from >= 0 && p.rung < rungCount, `promotion to rung ${p.rung}`);
        assert.ok(bruteTop(seen[from], eta).has(p.index), `trial ${p.index} is not in the top of rung ${from}`);
        assert.ok(seen[from].find((r) => r.index === p.index)!.complete, 'a failed trial was promoted');
        assert.ok(!promoted[from].has(p.index), `trial ${p.index} promoted twice out of rung ${from}`);
        // The rule goes top-down: no higher rung had a promotable trial.
        for (let k = rungCount - 2; k > from; k--)
          for (const i of bruteTop(seen[k], eta))
            assert.ok(promoted[k].has(i) || !seen[k].find((r) => r.index === i)!.complete, `rung ${k} was skipped`);
        rungs.markPromoted(p.index, from);
        promoted[from].add(p.index);
        assert.throws(() => rungs.markPromoted(p.index, from), /already promoted/);
        addResult(p.rung, p.index);
        return true;
      };
      for (const addNew of schedule) {
        if (addNew && nextTrial < trials.length) addResult(0, nextTrial++);
        else promoteOnce();
      }
      while (nextTrial < trials.length) addResult(0, nextTrial++);
      while (promoteOnce());
      // Quiescent: every complete trial the rule lets through has been promoted.
      for (let k = 0; k < rungCount - 1; k++)
        for (const i of bruteTop(seen[k], eta))
          if (seen[k].find((r) => r.index === i)!.complete)
            assert.ok(promoted[k].has(i), `rung ${k}: ${i} left behind`);
    }),
  );
});

test('the next promotion does not depend on the order the results arrived in', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(2, 3),
      fc.array(result, { minLength: 1, maxLength: 30 }),
      fc.array(result, { minLength: 0, maxLength: 10 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      (eta, rung0, rung1Raw, seed) => {
        const build = (order: (xs: Res[]) => Res[]) => {
          const r = new AshaRungs([10, 30, 90], eta);
          const r0 = rung0.map((x, index) => ({ index, ...x }));
          for (const x of order(r0)) r.record(0, x);
          // Rung-1 results for trials the rule promoted, in any order.
          const top = [...bruteTop(r0, eta)].filter((i) => r0[i].complete).slice(0, rung1Raw.length);
          const r1 = top.map((index, i) => ({ index, ...rung1Raw[i] }));
          for (const i of top) r.markPromoted(i, 0);
          for (const x of order(r1)) r.record(1, x);
          return r.nextPromotion();
        };
        let s = seed;
        const shuffle = (xs: Res[]) => {
          const a = [...xs];
          for (let i = a.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) % 2 ** 31;
            const j = s % (i + 1);
            [a[i], a[j]] = [a[j], a[i]];
          }
          return a;
        };
        assert.deepEqual(
          build(shuffle),
          build((xs) => xs),
        );
      },
    ),
  );
});

test('rung steps: minSteps·η^k below maxSteps, then maxSteps', () => {
  assert.deepEqual(rungSteps(150, 600, 3), [150, 450, 600]);
  assert.deepEqual(rungSteps(100, 900, 3), [100, 300, 900]);
  assert.deepEqual(rungSteps(10, 11, 4), [10, 11]);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 5000 }),
      fc.constantFrom(2, 3, 4),
      (lo, extra, eta) => {
        const s = rungSteps(lo, lo + extra, eta);
        assert.equal(s[0], lo);
        assert.equal(s.at(-1), lo + extra);
        for (let i = 1; i < s.length; i++) assert.ok(s[i] > s[i - 1]);
      },
    ),
  );
});
