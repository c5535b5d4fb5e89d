// The campaign file: defaults, unknown keys rejected at every depth, errors with JSON paths.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { CampaignConfigError, loadCampaignFile, resolveCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';

const minimal = {
  name: 'c1',
  space: { name: 'nas-fpn' },
  controller: { kind: 'random' },
  budget: { trials: 3 },
};

function issues(input: unknown): Array<{ path: string; message: string }> {
  try {
    const c = resolveCampaign(input);
    campaignSpace(c);
    return [];
  } catch (err) {
    assert.ok(err instanceof CampaignConfigError, String(err));
    return err.issues;
  }
}

describe('campaign config', () => {
  test('a minimal file resolves every default', () => {
    const c = resolveCampaign(minimal);
    assert.equal(c.seed, 0);
    assert.deepEqual(c.proxy, { ...DEFAULT_PROXY_TASK });
    assert.deepEqual(c.objective, { metric: 'AP', w: -0.07, rewardForInvalid: 0 });
    assert.equal(c.concurrency, availableParallelism());
    assert.equal(c.output, join('results', 'c1'));
    assert.deepEqual(c.retry, { attempts: 3, backoffMs: 2000 });
    assert.deepEqual(c.space.options, {});
    // Resolving a resolved config is the identity (resume re-validates the journal's copy).
    assert.deepEqual(resolveCampaign(JSON.parse(JSON.stringify(c))), c);
  });

  test('proxy keys override the defaults one by one', () => {
    const c = resolveCampaign({ ...minimal, proxy: { steps: 5, imageSize: 32 } });
    assert.equal(c.proxy.steps, 5);
    assert.equal(c.proxy.imageSize, 32);
    assert.equal(c.proxy.batchSize, DEFAULT_PROXY_TASK.batchSize);
  });

  test('unknown keys are rejected at every depth, each with its path', () => {
    const got = issues({
      ...minimal,
      extra: 1,
      space: { name: 'nas-fpn', bogus: 2 },
      proxy: { stepz: 3 },
      budget: { trials: 1, nope: 1 },
      objective: { w: 1, x: 0 },
    });
    const paths = got.map((i) => i.path).sort();
    assert.deepEqual(paths, ['$.budget.nope', '$.extra', '$.objective.x', '$.proxy.stepz', '$.space.bogus']);
    assert.ok(got.every((i) => i.message === 'unknown key'));
  });

  test('bad values name their paths', () => {
    const paths = issues({
      ...minimal,
      name: 'has space',
      budget: {},
      concurrency: 0,
      proxy: { imageSize: 'big' },
      controller: { kind: 'genetic' },
    })
      .map((i) => i.path)
      .sort();
    assert.deepEqual(paths, ['$.budget', '$.concurrency', '$.controller.kind', '$.name', '$.proxy.imageSize']);
  });

  test('space and controller options are validated with campaign paths', async () => {
    const bad = issues({ ...minimal, space: { name: 'nas-fpn', options: { cells: 0, wat: 1 } } });
    assert.ok(
      bad.some((i) => i.path === '$.space.options.cells'),
      JSON.stringify(bad),
    );
    assert.ok(
      bad.some((i) => i.path === '$.space.options.wat'),
      JSON.stringify(bad),
    );
    assert.deepEqual(
      issues({ ...minimal, space: { name: 'nope' } }).map((i) => i.path),
      ['$.space.name'],
    );
    const c = resolveCampaign({ ...minimal, controller: { kind: 'evolution', options: { populationSize: 1 } } });
    await assert.rejects(
      campaignController(c, campaignSpace(c)),
      (err: unknown) =>
        err instanceof CampaignConfigError && err.issues.some((i) => i.path === '$.controller.options.populationSize'),
    );
  });

  test('the objective is set once: controller options may not carry their own', () => {
    assert.deepEqual(
      issues({ ...minimal, controller: { kind: 'random', options: { rewardForInvalid: 1 } } }).map((i) => i.path),
      ['$.controller.options.rewardForInvalid'],
    );
  });

  test('a file with a JSON syntax error reports line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnas-cfg-'));
    const f = join(dir, 'c.json');
    writeFileSync(f, '{\n  "name": "x",\n  "seed": ,\n}');
    assert.throws(
      () => loadCampaignFile(f),
      (err: unknown) => err instanceof CampaignConfigError && /line 3/.test(err.message) && err.file === f,
    );
    assert.throws(() => loadCampaignFile(join(dir, 'missing.json')), /cannot read file/);
  });

  test('the example campaign is valid', async () => {
    const c = loadCampaignFile('src/campaign/examples/example.campaign.json');
    const space = campaignSpace(c);
    const ctl = await campaignController(c, space);
    assert.equal(ctl.kind, 'evolution');
    assert.equal(c.concurrency, 2);
  });
});
