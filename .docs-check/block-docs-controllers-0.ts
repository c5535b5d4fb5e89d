import { createController, getSpace } from 'pyramid-nas';
import type { SearchSpace as __SS, Controller as __C, TrialMetrics as __TM } from 'pyramid-nas';
interface MySpace extends __SS {}
declare class MySpace { constructor(options: { cells: number }); }
interface MyController extends __C {}
declare class MyController { constructor(space: __SS, options: unknown, seed: string | number); }
declare const metrics: __TM;
declare const mySpace: __SS;

const space = getSpace('nas-fpn');
const ctl = await createController('evolution', space, { populationSize: 20, sampleSize: 5 }, 'seed-1');
const p = await ctl.ask();                       // { index: 0, decisions, graph, hash }
await ctl.tell(p.index, { status: 'complete', metrics });   // or { status: 'failed', error }
const saved = JSON.stringify(ctl.state());
const again = await createController('evolution', space, { populationSize: 20, sampleSize: 5 }, 'seed-1');
again.load(JSON.parse(saved));                   // continues exactly where ctl stopped

export {};
