// The wall-time grace period on the embedded process pool: when it runs out, the child running the
// overdue trial is killed (not left training after the campaign has finished), and the campaign
// finishes with reason wallSeconds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { ProcessPool, type RetireInfo } from '../../workers/process-pool.js';
import { waitFor } from './campaign-helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('wall-time grace period (process pool)', () => {
  test("the overdue trial's child is killed when the grace period runs out", async () => {
    const cfg = resolveCampaign({
      name: 'grace-pool',
      seed: 4,
      space: { name: 'nas-fpn' },
      controller: { kind: 'random' },
      budget: { wallSeconds: 3, graceSeconds: 0.5 },
      concurrency: 2,
      retry: { attempts: 2, backoffMs: 10 },
    });
    const dir = mkdtempSync(join(tmpdir(), 'pnas-grace-pool-'));
    dirs.push(dir);
    const retired: RetireInfo[] = [];
    const env = {
      ...process.env,
      PYRAMID_NAS_TRAINER: 'fake',
      PYRAMID_NAS_FAKE: JSON.stringify({ delayMs: 30, hang: [1] }),
    };
    const pool = new ProcessPool({ size: 2, env, onRetire: (r) => retired.push(r) });
    const queue = new EmbeddedQueue(pool, { concurrency: 2, ...cfg.retry });
    const space = campaignSpace(cfg);
    let timer: NodeJS.Timeout | undefined;
    try {
      const summary = await Promise.race([
        runCampaign(
          cfg,
          { space, createController: () => campaignController(cfg, space), queue },
          { dir, resume: false },
        ),
        new Promise<never>(
          (_r, reject) =>
            (timer = setTimeout(
              () => reject(new Error('campaign still waiting for the hung trial after 40 s')),
              40_000,
            )),
        ),
      ]);
      assert.equal(summary.reason, 'wallSeconds');
      assert.equal(summary.stats.told, 1, 'trial 0 told; trial 1 hung and held back the rest');
      const cancelled = retired.filter((r) => r.reason === 'cancelled');
      assert.deepEqual(
        cancelled.map((r) => r.trialId),
        ['grace-pool-1'],
      );
      await waitFor(
        "the cancelled trial's child to exit",
        () => {
          try {
            process.kill(cancelled[0].pid!, 0);
            return false;
          } catch {
            return true;
          }
        },
        10_000,
      );
    } finally {
      clearTimeout(timer);
      await queue.close();
    }
  });
});
