import { z } from 'zod';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { spaces, controllers, objectiveSchema, getSpace, createController, type SearchSpace, type Controller, type ControllerState, type Proposal, type TrialOutcome, type Reward } from 'pyramid-nas';
import { controllerLaws, spaceLaws } from 'pyramid-nas/testing';

interface MySpace extends SearchSpace {}
declare class MySpace {
  constructor(options: { cells: number });
}
declare class MyController implements Controller {
  constructor(space: SearchSpace, options: unknown, seed: string | number);
  readonly kind: string;
  ask(): Promise<Proposal>;
  tell(index: number, outcome: TrialOutcome, reward?: Reward): Promise<void>;
  state(): ControllerState;
  load(state: ControllerState): void;
}

spaces.register('my-space', {
  description: 'what it searches',
  optionsSchema: z.strictObject({ cells: z.int().min(1).max(8).default(4) }),
  create: (options) => new MySpace(options), // options as the schema output them, defaults filled in
});
const s6 = getSpace('my-space', { cells: 6 });

controllers.register('my-controller', {
  description: 'how it searches',
  optionsSchema: z.strictObject({
    start: z.int().default(0),
    objective: objectiveSchema.optional(),
    rewardForInvalid: z.number().optional(),
  }),
  create: (options, { space, seed }) => new MyController(space, options, seed),
});

const space = getSpace('nas-fpn');
const laws = controllerLaws({ space, create: async (seed) => new MyController(space, {}, seed) });
for (const law of Object.values(laws)) await fc.assert(law as fc.IAsyncProperty<any>, { numRuns: 100 });
for (const law of Object.values(spaceLaws(s6))) fc.assert(law as fc.IProperty<any>, { numRuns: 1000 });

// controllers.md
declare const metrics: import('pyramid-nas').TrialMetrics;
const ctl = await createController('evolution', space, { populationSize: 20, sampleSize: 5 }, 'seed-1');
const p = await ctl.ask();
await ctl.tell(p.index, { status: 'complete', metrics });
const saved = JSON.stringify(ctl.state());
const again = await createController('evolution', space, { populationSize: 20, sampleSize: 5 }, 'seed-1');
again.load(JSON.parse(saved));

// search-spaces.md
const sp = getSpace('nas-fpn', { cells: 7, levels: { min: 3, max: 7 }, channels: 64 });
const rng = seedrandom('42', { state: true });
const d = sp.sample(rng);
const graph = sp.decode(d);
sp.encode(graph);
sp.mutate(d, rng);
sp.size();
sp.vocabulary[0];
