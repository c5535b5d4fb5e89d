import fc from 'fast-check';
import { spaceLaws } from 'pyramid-nas/testing';
import type { SearchSpace as __SS, Controller as __C, TrialMetrics as __TM } from 'pyramid-nas';
interface MySpace extends __SS {}
declare class MySpace { constructor(options: { cells: number }); }
interface MyController extends __C {}
declare class MyController { constructor(space: __SS, options: unknown, seed: string | number); }
declare const metrics: __TM;
declare const mySpace: __SS;

// The laws take different arguments, hence the cast when they are run in one loop.
for (const law of Object.values(spaceLaws(mySpace))) fc.assert(law as fc.IProperty<any>, { numRuns: 1000 });

export {};
