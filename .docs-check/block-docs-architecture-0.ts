import { z } from 'zod';
import { spaces, controllers, objectiveSchema, runCampaign, resolveCampaign } from 'pyramid-nas';
import type { SearchSpace as __SS, Controller as __C, TrialMetrics as __TM } from 'pyramid-nas';
interface MySpace extends __SS {}
declare class MySpace { constructor(options: { cells: number }); }
interface MyController extends __C {}
declare class MyController { constructor(space: __SS, options: unknown, seed: string | number); }
declare const metrics: __TM;
declare const mySpace: __SS;

spaces.register('my-space', {
  description: 'what it searches',
  optionsSchema: z.strictObject({ cells: z.int().min(1).max(8).default(4) }),
  create: (options) => new MySpace(options), // implements SearchSpace
});

controllers.register('my-controller', {
  description: 'how it searches',
  // A campaign passes its objective and rewardForInvalid in the options: accept them.
  optionsSchema: z.strictObject({
    start: z.int().default(0),
    objective: objectiveSchema.optional(),
    rewardForInvalid: z.number().optional(),
  }),
  create: (options, { space, seed }) => new MyController(space, options, seed), // a Controller, or a Promise of one
});

// now valid in a campaign file: "space": { "name": "my-space" }, "controller": { "kind": "my-controller" }

export {};
