// A trial job is started at most `attempts` times, stalls included; BullMQ's own stall limit must be at
// least the most attempts a campaign may ask, or it would fail a job before its attempts are used up.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { resolveCampaign } from '../../src/campaign/config.js';
import {
  ATTEMPTS_EXHAUSTED_PREFIX,
  attemptsExhausted,
  attemptsRun,
  STALL_LIMIT,
} from '../../workers/attempt-budget.js';

const job = (
  attempts: number | undefined,
  attemptsStarted: number,
  stalledCounter = 0,
  attemptsMade = 0,
  failedReason = '',
) => ({
  opts: attempts === undefined ? {} : { attempts },
  attemptsStarted,
  stalledCounter,
  attemptsMade,
  failedReason,
});

describe('attempt budget', () => {
  test('a start within the attempts runs; the one after the last is refused, naming the stalls', () => {
    assert.equal(attemptsExhausted(job(3, 1)), undefined);
    assert.equal(attemptsExhausted(job(3, 3, 2)), undefined);
    const why = attemptsExhausted(job(3, 4, 2, 1));
    assert.ok(why?.startsWith(ATTEMPTS_EXHAUSTED_PREFIX), why);
    assert.match(why!, /all 3 attempts ended without a result \(2 by a stall/);
  });

  test("a job added without attempts has one (BullMQ's default)", () => {
    assert.equal(attemptsExhausted(job(undefined, 1)), undefined);
    assert.match(attemptsExhausted(job(undefined, 2, 1)) ?? '', /all 1 attempts/);
  });

  test('attempts run: the refused start is not one; an ordinary failure counts its failed attempts', () => {
    assert.equal(attemptsRun(job(3, 4, 3, 1, attemptsExhausted(job(3, 4, 3))!)), 3);
    assert.equal(attemptsRun(job(3, 3, 0, 3, 'NAN_LOSS: loss is NaN')), 3);
  });

  test("BullMQ's stall limit is the largest retry.attempts a campaign accepts", () => {
    const input = {
      name: 'c',
      seed: 1,
      space: { name: 'nas-fpn' },
      controller: { kind: 'random' },
      budget: { trials: 1 },
    };
    assert.equal(resolveCampaign({ ...input, retry: { attempts: STALL_LIMIT } } as never).retry.attempts, STALL_LIMIT);
    assert.throws(() => resolveCampaign({ ...input, retry: { attempts: STALL_LIMIT + 1 } } as never), /attempts/);
  });
});
