// Resource limits on trial jobs: the defaults admit the default proxy task and the zoo's published widths
// and repeats, refuse the job that exhausted the wasm heap (as invalid, naming key, value, limit and how to
// raise it), and the `--limits` parser names what is wrong with a bad value.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialJob } from '../../src/trial/types.js';
import {
  campaignLimitIssues,
  checkJobLimits,
  DEFAULT_JOB_LIMITS,
  LIMIT_KEYS,
  type LimitKey,
  LimitsError,
  limitViolations,
  parseLimits,
} from '../../workers/job-limits.js';
import { INVALID_PREFIX, InvalidTrialError } from '../../workers/trial-processor.js';

const space = getSpace('nas-fpn', {});
const graph = space.decode(space.sample(createRng(1)));
const job = (proxy: Record<string, unknown>): TrialJob =>
  ({ campaign: 'c', trialId: 'c-0', index: 0, graph, proxy: { ...DEFAULT_PROXY_TASK, ...proxy } }) as TrialJob;

/** The job that left a worker process poisoned with 3.9 GB: every later trial failed in that process. */
const OVERSIZED = { channels: 4096, imageSize: 1024, batchSize: 1024, maxRepeats: 16 };

describe('job resource limits', () => {
  test('the default proxy task and the zoo at its published width and repeats are within the defaults', () => {
    assert.doesNotThrow(() => checkJobLimits(job({}), DEFAULT_JOB_LIMITS));
    // NAS-FPN is published at 256 channels ×7, BiFPN at ×3; a 128 px input is what `zoo --size 128` reports.
    assert.doesNotThrow(() =>
      checkJobLimits(job({ channels: 256, maxRepeats: 7, imageSize: 128 }), DEFAULT_JOB_LIMITS),
    );
    // The fidelity reference (×5 steps) and two-run screening.
    assert.doesNotThrow(() => checkJobLimits(job({ steps: 3000, runs: 2 }), DEFAULT_JOB_LIMITS));
  });

  test('the oversized job is invalid (no retry), naming every key over, its value, the limit and how to raise it', () => {
    assert.throws(
      () => checkJobLimits(job(OVERSIZED), DEFAULT_JOB_LIMITS),
      (err: unknown) => {
        assert.ok(err instanceof InvalidTrialError);
        assert.equal(err.name, 'UnrecoverableError');
        assert.ok(err.message.startsWith(INVALID_PREFIX), err.message);
        assert.match(err.message, /\$\.proxy\.imageSize is 1024, over the limit 256/);
        assert.match(err.message, /\$\.proxy\.channels is 4096, over the limit 256/);
        assert.match(err.message, /\$\.proxy\.batchSize is 1024, over the limit 256/);
        assert.match(err.message, /\$\.proxy\.maxRepeats is 16, over the limit 8/);
        assert.match(
          err.message,
          /raise with pyramid-nas worker --limits '\{"imageSize":1024,"channels":4096,"maxRepeats":16,"batchSize":1024\}'/,
        );
        return true;
      },
    );
  });

  test('raised limits admit it; missing proxy keys are checked at their defaults; an unparseable proxy is left to the schema', () => {
    assert.doesNotThrow(() =>
      checkJobLimits(
        job(OVERSIZED),
        parseLimits('{"imageSize":1024,"channels":4096,"batchSize":1024,"maxRepeats":16}'),
      ),
    );
    const tight = parseLimits('{"steps":100}');
    assert.throws(
      () => checkJobLimits({ ...job({}), proxy: {} }, tight),
      /\$\.proxy\.steps is 600, over the limit 100/,
    );
    assert.doesNotThrow(() => checkJobLimits({ ...job({}), proxy: { imageSize: 'huge' } }, tight));
    assert.doesNotThrow(() => checkJobLimits(null, tight));
  });

  test('a key is reported exactly when its value is over its limit (property)', () => {
    const arb = fc.record(
      Object.fromEntries(LIMIT_KEYS.map((k) => [k, fc.integer({ min: 1, max: 2_000_000 })])) as Record<
        LimitKey,
        fc.Arbitrary<number>
      >,
    );
    fc.assert(
      fc.property(arb, arb, (proxy, limits) => {
        const over = limitViolations(proxy, limits).map((v) => v.key);
        assert.deepEqual(
          over,
          LIMIT_KEYS.filter((k) => proxy[k] > limits[k]),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('--limits: merged over the defaults; unknown keys, bad values and bad JSON are named', () => {
    assert.deepEqual(parseLimits('{"imageSize":512}'), { ...DEFAULT_JOB_LIMITS, imageSize: 512 });
    assert.throws(
      () => parseLimits('{"imagesize":512}'),
      (e: unknown) =>
        e instanceof LimitsError && /--limits: \$\.imagesize: unknown limit \(known: steps, /.test(e.message),
    );
    assert.throws(
      () => parseLimits('{"steps":0,"runs":1.5}'),
      /\$\.steps: expected a positive integer, got 0; \$\.runs: expected a positive integer, got 1\.5/,
    );
    assert.throws(() => parseLimits('{imageSize:512}'), /--limits: not JSON/);
    assert.throws(() => parseLimits('[1]'), /--limits: expected a JSON object/);
  });

  test('the campaign check gives campaign-file issues with JSON paths and the flag to raise them', () => {
    const issues = campaignLimitIssues({ ...DEFAULT_PROXY_TASK, imageSize: 1024 }, DEFAULT_JOB_LIMITS);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['$.proxy.imageSize'],
    );
    assert.match(issues[0].message, /^1024 is over the trial-process limit 256; .*--limits '\{"imageSize":1024\}'/);
    assert.deepEqual(campaignLimitIssues(DEFAULT_PROXY_TASK, DEFAULT_JOB_LIMITS), []);
  });
});
