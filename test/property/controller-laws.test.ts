// The laws every controller obeys (controllers/laws.ts), for random, evolution and rl: for any seed, any
// outcomes (complete with any AP, including NaN; failed; invalid) told in any order, proposals are
// consecutive, valid, deduplicated (random, evolution) and hashed right; the same seed and outcomes give
// the same proposals; state() → JSON → load() continues identically; tell() takes each index once and a
// rejected tell leaves no trace; load() refuses another kind's state. And the laws can fail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { type Controller, createController } from '../../controllers/index.js';
import { controllerLaws } from '../../controllers/laws.js';
import { getSpace } from '../../search-spaces/index.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import { graphCost } from '../../src/graph/cost.js';
import { seededRandom } from '../../src/testing/rng.js';

// random and evolution are cheap: many runs of 30 asks on both spaces.
const RUNS = 100;
const PROPOSAL_RUNS = 200;
// rl runs its LSTM policy on the tfjs cpu backend (about a second per run): fewer, shorter runs.
const RL_RUNS = 8;

interface Case {
  kind: string;
  label?: string;
  options: Record<string, unknown>;
  spaces: string[];
  runs: number;
  laws: { asks: number; unique?: boolean };
  setup?: (c: Controller, space: SearchSpace) => void;
}

const CASES = [
  { kind: 'random', options: {}, spaces: ['nas-fpn', 'bifpn-cells'], runs: RUNS, laws: { asks: 30 } },
  {
    kind: 'evolution',
    options: { populationSize: 5, sampleSize: 2 },
    spaces: ['nas-fpn', 'bifpn-cells'],
    runs: RUNS,
    laws: { asks: 30 },
  },
  {
    kind: 'pareto-evolution',
    options: { populationSize: 5, sampleSize: 2 },
    spaces: ['nas-fpn', 'bifpn-cells'],
    runs: RUNS,
    laws: { asks: 30 },
  },
  // Warm start and constraints are configuration given to every controller built (resumed ones too).
  {
    kind: 'evolution',
    label: 'evolution with two seeds and a MACs constraint',
    options: { populationSize: 4, sampleSize: 2 },
    spaces: ['nas-fpn'],
    runs: RUNS,
    laws: { asks: 20 },
    setup: seededAndConstrained,
  },
  // rl re-draws a duplicate a bounded number of times, then proposes it: no uniqueness law.
  {
    kind: 'rl',
    options: { batchSize: 4, epochs: 2, hidden: 16, embedding: 8 },
    spaces: ['nas-fpn'],
    runs: RL_RUNS,
    laws: { asks: 12, unique: false },
  },
];

/** Two fixed seeds (the space's first points) and a MACs limit that about half of the space passes. */
function seededAndConstrained(c: Controller, space: SearchSpace): void {
  const seeds = [space.sample(seededRandom(1)), space.sample(seededRandom(2))];
  const macs = (d: number[]) => graphCost(space.decode(d), { inputSize: 64 }).macs;
  const limit = Math.max(
    ...seeds.map(macs),
    median(Array.from({ length: 41 }, (_, k) => macs(space.sample(seededRandom(100 + k))))),
  );
  c.warmStart!(seeds);
  c.constrain!((g) => (graphCost(g, { inputSize: 64 }).macs > limit ? 'over' : undefined));
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
}

for (const c of CASES as Case[]) {
  for (const spaceName of c.spaces) {
    describe(`controller laws: ${c.label ?? c.kind} on ${spaceName}`, () => {
      const space = getSpace(spaceName);
      const laws = controllerLaws(
        {
          space,
          create: async (seed) => {
            const controller = await createController(c.kind, space, c.options, seed);
            c.setup?.(controller, space);
            return controller;
          },
        },
        c.laws,
      );
      const proposalRuns = c.kind === 'rl' ? c.runs : PROPOSAL_RUNS;
      test("valid, consecutive proposals whose hash is their graph's (deduplicated unless rl)", () =>
        fc.assert(laws.proposalsValid, { numRuns: proposalRuns }));
      test('the same seed and outcomes give the same proposals', () =>
        fc.assert(laws.deterministic, { numRuns: c.runs }));
      test('state() → JSON → load() into a controller of another seed continues identically', () =>
        fc.assert(laws.resumable, { numRuns: c.runs }));
      test('tell() takes each asked index once; a rejected tell leaves no trace', () =>
        fc.assert(laws.tellOnce, { numRuns: c.runs }));
      test('load() refuses a state of another kind and leaves the controller as it was', () =>
        fc.assert(laws.loadChecksKind, { numRuns: c.runs }));
    });
  }
}

describe('the controller laws can fail', () => {
  const space = getSpace('nas-fpn');
  /** A random controller with one method replaced. */
  const broken =
    (patch: (c: Controller) => Partial<Controller>) =>
    async (seed: string): Promise<Controller> => {
      const c = await createController('random', space, {}, seed);
      const p = patch(c);
      return {
        kind: c.kind,
        ask: p.ask ?? (() => c.ask()),
        tell: p.tell ?? ((i, o) => c.tell(i, o)),
        state: p.state ?? (() => c.state()),
        load: p.load ?? ((s) => c.load(s)),
      };
    };
  const caught = async <Ts extends unknown[]>(law: fc.IAsyncPropertyWithHooks<Ts>, re: RegExp) =>
    assert.rejects(fc.assert(law, { numRuns: 30 }), (e: Error) => re.test(`${e.message} ${String(e.cause)}`));

  test('a controller that asks an index twice', async () => {
    const laws = controllerLaws({
      space,
      create: broken((c) => ({ ask: async () => ({ ...(await c.ask()), index: 0 }) })),
    });
    await caught(laws.proposalsValid, /indices must be consecutive/);
  });

  test('a controller that depends on something besides its seed and outcomes', async () => {
    const laws = controllerLaws({ space, create: () => createController('random', space, {}, String(Math.random())) });
    await caught(laws.deterministic, /same seed and outcomes, different proposal/);
  });

  test('a controller whose load() does not restore everything', async () => {
    const laws = controllerLaws({ space, create: broken(() => ({ load: () => {} })) });
    await caught(laws.resumable, /state\(\) differs|differs from the uninterrupted run/);
  });

  test('a controller whose state() is not plain JSON', async () => {
    const laws = controllerLaws({ space, create: broken((c) => ({ state: () => ({ ...c.state(), best: NaN }) })) });
    await caught(laws.resumable, /state\(\) is not plain JSON: \$\.best is NaN/);
  });

  test('a controller that loads any state', async () => {
    const laws = controllerLaws({ space, create: broken(() => ({ load: () => {} })) });
    await caught(laws.loadChecksKind, /load\(\) accepted a state of kind "random-not"/);
  });

  test('a controller that accepts a second tell of an index', async () => {
    const laws = controllerLaws({ space, create: broken((c) => ({ tell: (i, o) => c.tell(i, o).catch(() => {}) })) });
    await caught(laws.tellOnce, /was accepted/);
  });
});
