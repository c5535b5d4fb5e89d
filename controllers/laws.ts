// The laws every controller must obey (docs/controllers.md), as fast-check properties, so that the test
// suite and users writing their own controllers check the same things. Each law drives controllers with
// a script drawn by fast-check: the outcome each proposal gets (complete with any AP, NaN included;
// failed; invalid) and when it is told (out of ask order, with several proposals in flight).
// Not re-exported by controllers/index.ts (it pulls in fast-check); import it from 'pyramid-nas/testing'.
import fc from 'fast-check';

import type { SearchSpace } from '../search-spaces/space.js';
import { graphHash, parseGraph } from '../src/graph/index.js';
import type { TrialOutcome } from '../src/trial/types.js';
import type { Controller, ControllerState } from './types.js';

/** How the laws build the controller under test. */
export interface ControllerFactory {
  space: SearchSpace;
  /** A fresh controller over `space`, seeded with `seed`. */
  create(seed: string): Promise<Controller>;
  /** Frees a controller the laws are done with (default: its `dispose()`, if it has one). */
  dispose?(controller: Controller): void;
}

export interface ControllerLawOptions {
  /** Proposals asked per run (default 24). */
  asks?: number;
  /** Most proposals in flight before the script must tell one (default 4). */
  maxInFlight?: number;
  /**
   * The controller never asks the same graph twice (default true). A controller that only tries to avoid
   * duplicates (rl re-draws a bounded number of times, then proposes one) sets false.
   */
  unique?: boolean;
}

/** Any outcome a campaign may tell: complete with any AP (NaN and values outside [0, 1] included), failed, invalid. */
export const arbOutcome: fc.Arbitrary<TrialOutcome> = fc.oneof(
  fc.double({ min: -1, max: 2 }).map((AP): TrialOutcome => ({
    status: 'complete',
    metrics: {
      AP,
      AP50: 0,
      AP75: 0,
      APs: 0,
      APm: 0,
      APl: 0,
      params: 0,
      macs: 1,
      trainSeconds: 0,
      evalSeconds: 0,
      backend: 'laws',
    },
  })),
  fc.constantFrom<TrialOutcome>(
    { status: 'failed', error: 'failed (laws)' },
    { status: 'invalid', error: 'invalid (laws)' },
  ),
);

/** What the script does: the outcome of proposal k, and after ask k whether and which in-flight proposal to tell. */
export interface ControllerScript {
  outcomes: TrialOutcome[];
  picks: number[];
}

export function arbControllerScript(asks: number): fc.Arbitrary<ControllerScript> {
  return fc.record({
    outcomes: fc.array(arbOutcome, { minLength: asks, maxLength: asks }),
    picks: fc.array(fc.nat(), { minLength: asks, maxLength: asks }),
  });
}

/** One proposal as the laws compare them. */
interface Asked {
  index: number;
  decisions: number[];
  hash: string;
}

function fail(message: string): never {
  throw new Error(message);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Where `v` is not plain JSON (something JSON.stringify would drop or change: NaN, ±Infinity, a class
 * instance, a function, undefined in an array, …), as a path, or undefined when it is. Object members
 * that are undefined are fine: they are absent after the round trip either way.
 */
function notJson(v: unknown, path = '$'): string | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${path} is ${v}`;
  if (Array.isArray(v)) {
    for (let k = 0; k < v.length; k++) {
      const p = v[k] === undefined ? `${path}[${k}] is undefined` : notJson(v[k], `${path}[${k}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      return `${path} is a ${proto?.constructor?.name ?? 'class instance'}, not a plain object`;
    for (const [k, x] of Object.entries(v)) {
      const p = x === undefined ? undefined : notJson(x, `${path}.${k}`);
      if (p) return p;
    }
    return undefined;
  }
  return `${path} is a ${typeof v}`;
}

/**
 * Runs asks [from, to) of the script on `c`. `inFlight` (asked, not told) is updated in place, so a run can
 * stop, save the controller's state and be continued by another controller. `check` sees each proposal.
 */
async function drive(
  c: Controller,
  script: ControllerScript,
  inFlight: number[],
  from: number,
  to: number,
  maxInFlight: number,
  check: (p: Asked, k: number) => void = () => {},
): Promise<Asked[]> {
  const asked: Asked[] = [];
  for (let k = from; k < to; k++) {
    const p = await c.ask();
    if (p.index !== k) fail(`ask ${k} returned index ${p.index}: indices must be consecutive from 0`);
    const a = { index: p.index, decisions: [...p.decisions], hash: p.hash };
    check(a, k);
    if (p.hash !== graphHash(p.graph)) fail(`proposal ${k}: hash ${p.hash.slice(0, 12)} is not the hash of its graph`);
    asked.push(a);
    inFlight.push(p.index);
    // Tell now unless the pick says wait (and there is room to wait): tells come out of ask order.
    const pick = script.picks[k];
    if (inFlight.length > maxInFlight || pick % 3 !== 0) {
      const [index] = inFlight.splice(pick % inFlight.length, 1);
      await c.tell(index, script.outcomes[index]);
    }
  }
  return asked;
}

async function rejects(what: string, f: () => Promise<unknown>): Promise<void> {
  let threw = false;
  try {
    await f();
  } catch {
    threw = true;
  }
  if (!threw) fail(`${what} was accepted`);
}

/**
 * The laws; run each with `await fc.assert(law, { numRuns })`. Each creates its own controllers with
 * seeds fast-check draws, and frees them.
 */
export function controllerLaws(factory: ControllerFactory, options: ControllerLawOptions = {}) {
  const asks = options.asks ?? 24;
  const maxInFlight = options.maxInFlight ?? 4;
  const unique = options.unique ?? true;
  const { space } = factory;
  const dispose = (c: Controller) =>
    factory.dispose ? factory.dispose(c) : (c as { dispose?: () => void }).dispose?.();
  const script = arbControllerScript(asks);

  /** Runs `body` on fresh controllers (one per seed), freeing them afterwards. */
  const using = async <T>(seeds: string[], body: (cs: Controller[]) => Promise<T>): Promise<T> => {
    const cs: Controller[] = [];
    try {
      for (const s of seeds) cs.push(await factory.create(s));
      return await body(cs);
    } finally {
      cs.forEach(dispose);
    }
  };

  return {
    /**
     * Proposals are numbered 0, 1, 2, … in ask order; their decisions are a valid point of the space that
     * decodes to a graph parseGraph accepts; their hash is that graph's canonical hash; no graph is asked
     * twice (with `unique`).
     */
    proposalsValid: fc.asyncProperty(fc.string(), script, (seed, s) =>
      using([seed], async ([c]) => {
        const hashes = new Set<string>();
        await drive(c, s, [], 0, asks, maxInFlight, (p, k) => {
          space.validate(p.decisions);
          const graph = space.decode(p.decisions);
          if (graphHash(graph) !== p.hash)
            fail(`proposal ${k}: its decisions decode to another graph than its hash says`);
          const parsed = parseGraph(graph);
          if (!parsed.ok)
            fail(
              `proposal ${k}: parseGraph rejected its graph: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
            );
          if (unique && hashes.has(p.hash)) fail(`proposal ${k}: graph ${p.hash.slice(0, 12)} was already asked`);
          hashes.add(p.hash);
        });
      }),
    ),

    /** The same seed and the same outcomes, told in the same order, give the same proposals. */
    deterministic: fc.asyncProperty(fc.string(), script, (seed, s) =>
      using([seed, seed], async ([a, b]) => {
        const x = await drive(a, s, [], 0, asks, maxInFlight);
        const y = await drive(b, s, [], 0, asks, maxInFlight);
        const k = x.findIndex((p, i) => !same(p, y[i]));
        if (k >= 0)
          fail(
            `same seed and outcomes, different proposal ${k}: ${JSON.stringify(x[k].decisions)} vs ${JSON.stringify(y[k].decisions)}`,
          );
      }),
    ),

    /**
     * state() is plain JSON; load() of it into a fresh controller (even one created with another seed)
     * continues exactly as the saved controller does, and its state() is then the saved one.
     */
    resumable: fc.asyncProperty(fc.string(), script, fc.nat(), (seed, s, at) =>
      using([seed, `${seed}\u0000other`], async ([a, b]) => {
        const cut = at % (asks + 1);
        const inFlight: number[] = [];
        await drive(a, s, inFlight, 0, cut, maxInFlight);
        const state = a.state();
        const saved = JSON.stringify(state);
        const problem = notJson(state);
        if (problem) fail(`state() is not plain JSON: ${problem}`);
        const inFlightAtSave = [...inFlight];
        const rest = await drive(a, s, inFlight, cut, asks, maxInFlight);
        b.load(JSON.parse(saved) as ControllerState);
        if (JSON.stringify(b.state()) !== saved)
          fail(`after load(), state() differs from the state loaded (saved after ask ${cut})`);
        const resumed = await drive(b, s, inFlightAtSave, cut, asks, maxInFlight);
        const k = rest.findIndex((p, i) => !same(p, resumed[i]));
        if (k >= 0)
          fail(`saved after ask ${cut} and loaded: proposal ${rest[k].index} differs from the uninterrupted run's`);
      }),
    ),

    /**
     * tell() takes each asked index exactly once: an index never asked, or one already told, is rejected,
     * and a rejected tell leaves no trace (state() unchanged, and later proposals as without it).
     */
    tellOnce: fc.asyncProperty(fc.string(), script, (seed, s) =>
      using([seed, seed], async ([a, twin]) => {
        const inFlight: number[] = [];
        const inFlightTwin: number[] = [];
        await drive(a, s, inFlight, 0, asks, maxInFlight);
        await drive(twin, s, inFlightTwin, 0, asks, maxInFlight);
        const before = JSON.stringify(a.state());
        const told = Array.from({ length: asks }, (_, k) => k).filter((k) => !inFlight.includes(k));
        const outcome = s.outcomes[0];
        await rejects(`tell(${asks}) of an index never asked`, () => a.tell(asks, outcome));
        await rejects('tell(-1)', () => a.tell(-1, outcome));
        await rejects('tell(0.5)', () => a.tell(0.5, outcome));
        for (const k of told.slice(0, 3)) await rejects(`a second tell(${k})`, () => a.tell(k, outcome));
        if (JSON.stringify(a.state()) !== before) fail('a rejected tell changed state()');
        // Both tell what is still in flight, then ask once more: the rejected tells must not show.
        for (const k of inFlight) await a.tell(k, s.outcomes[k]);
        for (const k of inFlightTwin) await twin.tell(k, s.outcomes[k]);
        const [p, q] = [await a.ask(), await twin.ask()];
        if (p.index !== asks || !same(p.decisions, q.decisions))
          fail('after rejected tells, the next proposal differs from a run without them');
      }),
    ),

    /** load() refuses a state of another kind, and a refused load leaves the controller as it was. */
    loadChecksKind: fc.asyncProperty(fc.string(), script, (seed, s) =>
      using([seed], async ([c]) => {
        await drive(c, s, [], 0, Math.min(asks, 6), maxInFlight);
        const before = JSON.stringify(c.state());
        const foreign = { ...(JSON.parse(before) as ControllerState), kind: `${c.kind}-not` };
        let threw = false;
        try {
          c.load(foreign);
        } catch {
          threw = true;
        }
        if (!threw) fail(`load() accepted a state of kind "${foreign.kind}"`);
        if (JSON.stringify(c.state()) !== before) fail('a refused load() changed state()');
      }),
    ),
  };
}
