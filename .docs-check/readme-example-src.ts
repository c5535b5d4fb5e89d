import { spaces, controllers, getSpace, createController, trainAndEvaluate, TRIAL_STATUS } from '../src/index.js';
import { resolveCampaign, campaignSpace, campaignController, createQueue, runCampaign } from '../src/index.js';

console.log(spaces.names(), controllers.names());        // [ 'nas-fpn', 'bifpn-cells' ] [ 'random', 'evolution', 'rl' ]
const space = getSpace('nas-fpn', { cells: 5, levels: { min: 3, max: 5 } });          // options checked by zod
const ctl = await createController('evolution', space, { populationSize: 20, sampleSize: 5 }, 'seed-1');
const p = await ctl.ask();                                     // { index, decisions, graph, hash }
const metrics = await trainAndEvaluate(p.graph, { steps: 600 }); // AP, AP50, …, params, macs on the held-out split
await ctl.tell(p.index, { status: TRIAL_STATUS.complete, metrics });

// A whole campaign, as `pyramid-nas search` runs it (the embedded pool; createQueue(config, { redis }) for BullMQ):
const config = resolveCampaign({ name: 'demo', space: { name: 'nas-fpn' }, controller: { kind: 'random' }, budget: { trials: 4 } });
const cspace = campaignSpace(config), { queue, close } = await createQueue(config);
const summary = await runCampaign(config, { space: cspace, queue, createController: () => campaignController(config, cspace) }, { dir: config.output, resume: false });
await close();                                                  // summary.best: the best trial by reward
