// One JSON-path syntax for every reader of JSON input: `$.a[0].b`, odd keys quoted (`$["a b"]`), relative
// paths for the parts a caller places under its own (`levels.min`, `nodes[3].inputs[1]`), and each unknown
// key an issue of its own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { z } from 'zod';

import { CampaignConfigError, resolveCampaign } from '../../src/campaign/config.js';
import { parseGraph } from '../../src/graph/index.js';
import { ProxyTaskError, resolveProxyTask } from '../../src/trial/proxy-task.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import { OptionsError, parseOptions } from '../../src/util/options.js';
import { joinPath, jsonPath, zodIssues } from '../../src/util/zod-issues.js';
import { InvalidTrialError, validateTrialJob } from '../../workers/trial-processor.js';
import { tinyFpn } from './graph-fixtures.js';

const ODD = 'a b';

describe('jsonPath', () => {
  test('under $, under a name, and relative', () => {
    assert.equal(jsonPath([]), '$');
    assert.equal(jsonPath(['space', 'options', 'levels', 0, 'min']), '$.space.options.levels[0].min');
    assert.equal(jsonPath([0, 'bbox']), '$[0].bbox');
    assert.equal(jsonPath([ODD, '0', '__proto__', 'x-y']), '$["a b"]["0"].__proto__["x-y"]');
    assert.equal(jsonPath([17, 'bbox', 2], 'detections'), 'detections[17].bbox[2]');
    assert.equal(jsonPath(['nodes', 3, 'inputs', 1], ''), 'nodes[3].inputs[1]');
    assert.equal(jsonPath([ODD], ''), '["a b"]');
    assert.equal(jsonPath([], ''), '$');
  });

  test('joinPath places a relative path under another', () => {
    assert.equal(joinPath('$.graph', 'nodes[1].op'), '$.graph.nodes[1].op');
    assert.equal(joinPath('$.graph', '[2]'), '$.graph[2]');
    assert.equal(joinPath('$.space.options', '$'), '$.space.options');
    assert.equal(joinPath('$.space.options', jsonPath([ODD], '')), '$.space.options["a b"]');
  });

  test('each unknown key is an issue of its own, at its own path', () => {
    const r = z.strictObject({ a: z.strictObject({}) }).safeParse({ a: { x: 1, y: 2 }, [ODD]: 3 });
    assert.ok(!r.success);
    assert.deepEqual(
      zodIssues(r.error)
        .map((i) => i.path)
        .sort(),
      ['$.a.x', '$.a.y', `$["a b"]`].sort(),
    );
    assert.ok(zodIssues(r.error).every((i) => i.message === 'unknown key'));
  });
});

describe('every reader writes the same path for the same key', () => {
  const catchIssues = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (err) {
      if (err instanceof CampaignConfigError || err instanceof ProxyTaskError)
        return err.issues.map((i) => `${i.path}: ${i.message}`);
      if (err instanceof OptionsError || err instanceof InvalidTrialError) return [err.message];
      throw err;
    }
    assert.fail('expected an error');
  };

  test('an odd unknown key', () => {
    const campaign = {
      name: 'c',
      space: { name: 'nas-fpn' },
      controller: { kind: 'random' },
      budget: { trials: 1 },
      proxy: { [ODD]: 1 },
    };
    assert.deepEqual(
      catchIssues(() => resolveCampaign(campaign)),
      ['$.proxy["a b"]: unknown key'],
    );
    assert.deepEqual(
      catchIssues(() => resolveProxyTask({ [ODD]: 1 } as never)),
      ['$["a b"]: unknown key'],
    );
    assert.deepEqual(
      catchIssues(() => parseOptions(z.strictObject({}), { [ODD]: 1 }, 'test')),
      ['invalid test options: ["a b"]: unknown key'],
    );
    const job = {
      campaign: 'c',
      trialId: 'c-0',
      index: 0,
      graph: tinyFpn(),
      proxy: { ...DEFAULT_PROXY_TASK, [ODD]: 1 },
    };
    assert.deepEqual(
      catchIssues(() => validateTrialJob(job)),
      ['invalid trial job: $.proxy["a b"]: unknown key'],
    );
    const g = parseGraph({ ...tinyFpn(), [ODD]: 1 });
    assert.ok(!g.ok && g.errors.some((e) => e.path === '["a b"]'));
  });

  test("a bad value in a trial job's graph is named under $.graph", () => {
    const bad = tinyFpn();
    (bad.nodes[0] as { op: string }).op = 'nope';
    assert.throws(
      () => validateTrialJob({ campaign: 'c', trialId: 'c-0', index: 0, graph: bad, proxy: DEFAULT_PROXY_TASK }),
      /invalid trial job: \$\.graph\.nodes\[0\]\.op: /,
    );
  });
});
