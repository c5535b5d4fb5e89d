import { getSpace } from 'pyramid-nas';
import seedrandom from 'seedrandom';
import type { SearchSpace as __SS, Controller as __C, TrialMetrics as __TM } from 'pyramid-nas';
interface MySpace extends __SS {}
declare class MySpace { constructor(options: { cells: number }); }
interface MyController extends __C {}
declare class MyController { constructor(space: __SS, options: unknown, seed: string | number); }
declare const metrics: __TM;
declare const mySpace: __SS;

const space = getSpace('nas-fpn', { cells: 7, levels: { min: 3, max: 7 }, channels: 64 }); // zod-checked
const rng = seedrandom('42', { state: true });          // rng.state() can be saved and restored
const d = space.sample(rng);                              // number[] (space.decisionCount tokens)
const graph = space.decode(d);                            // PyramidGraph; parseGraph accepts it
space.encode(graph);                                      // → d again (undefined for graphs outside the space)
space.mutate(d, rng);                                     // exactly one decision changed, still valid
space.size();                                             // bigint: number of distinct decision sequences
space.vocabulary[0];                                      // { name: 'cell0.input1', size: 5, labels: ['C3', …] }
space.validate([1, 2]);                                   // throws: "nas-fpn: expected 28 decisions, got 2"

export {};
