import { z } from 'zod';
import { spaces, getSpace } from 'pyramid-nas';
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
  create: (options) => new MySpace(options), // options as the schema output them, defaults filled in
});

const space = getSpace('my-space', { cells: 6 });

export {};
