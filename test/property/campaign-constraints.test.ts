// Constraints are hard (src/campaign/constraints.ts): for any MACs and params limits, every job a campaign
// queues (with random, evolution or pareto-evolution, and with warm-start seeds under the limit) is within
// them at the proxy's shape; a limit nothing meets is a clear error before anything is trained; and a
// controller that ignores the constraints is stopped before its proposal is queued.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import fc from 'fast-check';

import { runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { proxyCostOf } from '../../src/campaign/constraints.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { createFakeTrainer } from '../../src/testing/fake-trainer.js';
import type { TrialJob } from '../../src/trial/types.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Two spaces whose proxy costs (16 channels, 64 px) spread differently: the 5-cell nas-fpn space over
// P3–P5 has MACs 269–325 k and 15 360 params for every graph; bifpn-cells has MACs 63–115 k and params
// 8.4–11.3 k. The limits are drawn across and beyond those ranges, so some bind and some cannot be met.
const SPACES = {
  'nas-fpn': { options: { cells: 5, levels: { min: 3, max: 5 } }, macs: [250_000, 340_000], params: [15_000, 16_000] },
  'bifpn-cells': { options: {}, macs: [55_000, 120_000], params: [8_000, 11_500] },
} as const;
type SpaceName = keyof typeof SPACES;

function config(
  kind: string,
  constraints: Record<string, number>,
  space: SpaceName = 'nas-fpn',
  trials = 8,
): ResolvedCampaign {
  return resolveCampaign({
    name: 'limits',
    seed: 5,
    space: { name: space, options: SPACES[space].options },
    controller: {
      kind,
      options: kind === 'random' ? { maxRetries: 300 } : { populationSize: 3, sampleSize: 2, maxRetries: 300 },
    },
    proxy: { channels: 16, imageSize: 64 },
    budget: { trials },
    concurrency: 2,
    constraints,
  });
}

async function queuedJobs(cfg: ResolvedCampaign, patch?: (c: import('../../controllers/types.js').Controller) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'pnas-limits-'));
  dirs.push(dir);
  const space = campaignSpace(cfg);
  const queue = new EmbeddedQueue(inlineRunner(createFakeTrainer({ delayMs: 0 })), { concurrency: 2, attempts: 1 });
  const jobs: TrialJob[] = [];
  const submit = queue.submit.bind(queue);
  queue.submit = (job) => (jobs.push(job), submit(job));
  try {
    const summary = await runCampaign(
      cfg,
      {
        space,
        createController: async () => {
          const c = await campaignController(cfg, space);
          patch?.(c);
          return c;
        },
        queue,
      },
      { dir, resume: false },
    );
    return { jobs, summary };
  } finally {
    await queue.close();
  }
}

const arbCase = fc.constantFrom<SpaceName>('nas-fpn', 'bifpn-cells').chain((space) =>
  fc.record({
    space: fc.constant(space),
    limits: fc
      .record(
        {
          maxMacs: fc.integer({ min: SPACES[space].macs[0], max: SPACES[space].macs[1] }),
          maxParams: fc.integer({ min: SPACES[space].params[0], max: SPACES[space].params[1] }),
        },
        { requiredKeys: [] },
      )
      .filter((c) => Object.keys(c).length > 0),
    kind: fc.constantFrom('random', 'evolution', 'pareto-evolution'),
  }),
);

describe('constraints', () => {
  test('no job over the limits is ever queued (any limits, random / evolution / pareto-evolution)', () =>
    fc.assert(
      fc.asyncProperty(arbCase, async ({ space, limits, kind }) => {
        const cfg = config(kind, limits, space);
        let result;
        try {
          result = await queuedJobs(cfg);
        } catch (err) {
          // A limit almost nothing meets: refused with the constraint named, nothing queued over it.
          assert.match((err as Error).message, /constraints: \d+ random samples in a row were all over the limit/);
          return;
        }
        assert.ok(result.jobs.length > 0);
        for (const job of result.jobs) {
          const cost = proxyCostOf(job.graph, cfg.proxy);
          if (limits.maxMacs !== undefined)
            assert.ok(cost.macs <= limits.maxMacs, `${job.trialId}: MACs ${cost.macs} > ${limits.maxMacs}`);
          if (limits.maxParams !== undefined)
            assert.ok(cost.params <= limits.maxParams, `${job.trialId}: params ${cost.params} > ${limits.maxParams}`);
        }
      }),
      { numRuns: 16 },
    ));

  test('a limit nothing meets fails with CONSTRAINTS_UNSATISFIABLE before any trial is queued', async () => {
    await assert.rejects(queuedJobs(config('evolution', { maxMacs: 10 })), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'CONSTRAINTS_UNSATISFIABLE');
      assert.match(e.message, /MACs [\d.e+]+ > constraints\.maxMacs 1\.000e\+1/);
      return true;
    });
  });

  test('the guard can fail: a controller that ignores the constraints is stopped before its proposal is queued', async () => {
    const cfg = config('random', { maxMacs: 300_000 });
    await assert.rejects(
      queuedJobs(cfg, (c) => (c.constrain = () => {})),
      /proposed #\d+ \w+ over the constraints \(MACs .* > constraints\.maxMacs/,
    );
  });
});
