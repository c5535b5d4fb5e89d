// The per-trial time limit, in-process: the campaign key travels in every job, an overdue trial is
// aborted and told `failed` with a TIMEOUT error after a single attempt (a timeout is an answer, not a
// transient failure), and the campaign goes on. Bad values are refused with their JSON paths.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { runCampaign } from '../../src/campaign/campaign.js';
import { CampaignConfigError, resolveCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { readJournal, type ToldEvent } from '../../src/campaign/journal.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { createFakeTrainer } from '../../src/testing/fake-trainer.js';
import type { Trainer, TrialJob } from '../../src/trial/types.js';
import { validateTrialJob } from '../../workers/trial-processor.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const base = {
  name: 'tmo',
  seed: 2,
  space: { name: 'nas-fpn' },
  controller: { kind: 'random' },
  budget: { trials: 4 },
  concurrency: 2,
  retry: { attempts: 3, backoffMs: 1 },
};

describe('trial timeout', () => {
  test('an overdue trial is aborted and told failed with TIMEOUT after one attempt; the others complete', async () => {
    const cfg = resolveCampaign({ ...base, trialTimeoutSeconds: 0.3 });
    assert.equal(cfg.trialTimeoutSeconds, 0.3);
    const fake = createFakeTrainer({ hang: [1], delayMs: 5 });
    const seen: TrialJob[] = [];
    let aborted = 0;
    const trainer: Trainer = async (graph, proxy, hooks, job) => {
      seen.push(job);
      hooks.signal?.addEventListener('abort', () => aborted++);
      return fake(graph, proxy, hooks, job);
    };
    const dir = mkdtempSync(join(tmpdir(), 'pnas-timeout-'));
    dirs.push(dir);
    const space = campaignSpace(cfg);
    const queue = new EmbeddedQueue(inlineRunner(trainer), { concurrency: 2, ...cfg.retry });
    const summary = await runCampaign(
      cfg,
      { space, createController: () => campaignController(cfg, space), queue },
      { dir, resume: false },
    );
    await queue.close();

    assert.equal(summary.reason, 'trials');
    const told = readJournal(join(dir, 'journal.jsonl')).filter((e): e is ToldEvent => e.type === 'told');
    assert.deepEqual(
      told.map((t) => t.status),
      ['complete', 'failed', 'complete', 'complete'],
    );
    assert.match(told[1].error!, /^TIMEOUT: trial tmo-1 ran longer than its limit of 0\.3 s/);
    assert.equal(told[1].reward, cfg.objective.rewardForInvalid);
    assert.equal(seen.filter((j) => j.index === 1).length, 1, 'not retried');
    assert.equal(aborted, 1, 'the overdue trial was told to stop');
    assert.ok(
      seen.every((j) => j.timeoutSeconds === 0.3),
      'every job carries the limit',
    );
  });

  test('no limit by default; bad values are refused with their paths', () => {
    assert.equal(resolveCampaign(base).trialTimeoutSeconds, undefined);
    assert.throws(
      () => resolveCampaign({ ...base, trialTimeoutSeconds: 0 }),
      (e: unknown) => e instanceof CampaignConfigError && e.issues[0].path === '$.trialTimeoutSeconds',
    );
    assert.throws(
      () => resolveCampaign({ ...base, trialTimeoutSeconds: '60' }),
      (e: unknown) => e instanceof CampaignConfigError && e.issues[0].path === '$.trialTimeoutSeconds',
    );
    // Workers validate the job's copy like any other untrusted field.
    const cfg = resolveCampaign(base);
    const graph = campaignSpace(cfg).decode(campaignSpace(cfg).sample(() => 0.5));
    const job = { campaign: 'tmo', trialId: 'tmo-0', index: 0, graph, proxy: cfg.proxy };
    assert.equal(validateTrialJob({ ...job, timeoutSeconds: 60 }).timeoutSeconds, 60);
    assert.throws(() => validateTrialJob({ ...job, timeoutSeconds: -1 }), /\$\.timeoutSeconds/);
  });
});
