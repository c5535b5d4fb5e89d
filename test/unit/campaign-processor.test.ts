// The trial processor treats a job as untrusted input (an invalid one is an 'invalid' result); coded
// training errors are 'failed' results, not retries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Redis } from 'ioredis';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { createFakeTrainer, fakeMetrics } from '../../src/testing/fake-trainer.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import { TRIAL_STATUS, type TrialJob } from '../../src/trial/types.js';
import { parseRedisUrl, redact, RedisUrlError, warnIfEvicting } from '../../src/util/redis-connection.js';
import { InvalidTrialError, processTrial, validateTrialJob } from '../../workers/trial-processor.js';

const space = getSpace('nas-fpn', {});
const graph = space.decode(space.sample(createRng(3)));
const job = (over: Record<string, unknown> = {}): TrialJob =>
  ({ campaign: 'c', trialId: 'c-4', index: 4, graph, proxy: { ...DEFAULT_PROXY_TASK }, ...over }) as TrialJob;

function invalid(data: unknown, pattern: RegExp): void {
  assert.throws(
    () => validateTrialJob(data),
    (err: unknown) => {
      assert.ok(err instanceof InvalidTrialError);
      assert.equal(err.name, 'UnrecoverableError'); // what BullMQ checks, across the sandbox too
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('trial processor', () => {
  test('a good job validates', () => {
    assert.equal(validateTrialJob(job()).trialId, 'c-4');
  });

  test('malformed and malicious payloads are invalid, with JSON paths', () => {
    invalid(null, /invalid trial job: \$: /);
    invalid('rm -rf /', /invalid trial job/);
    invalid(job({ trialId: 'c-5' }), /\$\.trialId: expected "c-4"/);
    invalid(job({ evil: true }), /\$: .*evil|evil/);
    invalid(
      JSON.parse(
        `{"campaign":"c","trialId":"c-4","index":4,"graph":${JSON.stringify(graph)},"proxy":{},"__proto__":{"polluted":1}}`,
      ),
      /__proto__/,
    );
    invalid(job({ proxy: { imageSize: 1e9 } }), /\$\.proxy\.imageSize/);
    invalid(
      job({ graph: { ...graph, nodes: [{ id: 'x', level: 4, op: 'sum', inputs: ['nowhere', 'C4'], post: 'conv' }] } }),
      /\$\.graph\.nodes\[0\]\.inputs/,
    );
    invalid(job({ graph: { ...graph, meta: { blob: 'x'.repeat(2_000_000) } } }), /bytes \(limit/);
    const cyclic: Record<string, unknown> = { ...job() };
    cyclic.self = cyclic;
    invalid(cyclic, /not JSON-serializable/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('a payload nested 100,000 deep is invalid (not a stack overflow that a queue would retry)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    invalid(job({ graph: { ...graph, meta: { deep } } }), /nested too deeply/);
    invalid({ ...job(), extra: deep }, /nested too deeply/);
  });

  test('a dataDir that is a file is an invalid result, not a system error retried as transient', async () => {
    const { loadTrainer } = await import('../../workers/trainers.js');
    const trainer = await loadTrainer({ PYRAMID_NAS_TRAINER: 'tfjs' });
    const r = await processTrial(
      job({ proxy: { ...DEFAULT_PROXY_TASK, dataset: 'fashion-mnist-scenes', dataDir: '/etc/hostname' } }),
      {
        trainer,
      },
    );
    assert.equal(r.status, TRIAL_STATUS.invalid);
    assert.match(r.error!, /BAD_OPTION: dataDir \/etc\/hostname is not a folder/);
  });

  test('an invalid payload is answered with an invalid result (a value, not a thrown error), its identity echoed', async () => {
    const bad = job({ proxy: { imageSize: 1e9 }, runId: '0123456789ab' });
    let trained = false;
    const r = await processTrial(bad, {
      trainer: async () => {
        trained = true;
        return fakeMetrics(graph, 0);
      },
    });
    assert.equal(trained, false);
    assert.equal(r.status, TRIAL_STATUS.invalid);
    assert.equal(r.trialId, 'c-4');
    assert.equal(r.runId, '0123456789ab');
    assert.match(r.error!, /^invalid trial job: .*\$\.proxy\.imageSize/);
    assert.equal(r.metrics, undefined);
    const garbage = await processTrial('rm -rf /', { trainer: createFakeTrainer() });
    assert.equal(garbage.status, TRIAL_STATUS.invalid);
    assert.match(garbage.error!, /^invalid trial job/);
    // A trainer that refuses the job the same way gets the same answer.
    const refused = await processTrial(job(), {
      trainer: async () => {
        throw new InvalidTrialError('invalid trial job: $.graph: not trainable here');
      },
    });
    assert.equal(refused.status, TRIAL_STATUS.invalid);
    assert.equal(refused.error, 'invalid trial job: $.graph: not trainable here');
  });

  test('the fake trainer is a pure function of graph and seed', async () => {
    const a = await processTrial(job(), { trainer: createFakeTrainer() });
    const b = await processTrial(job(), { trainer: createFakeTrainer({ delayMs: 5 }) });
    assert.equal(a.status, 'complete');
    assert.deepEqual(a.metrics, b.metrics);
    assert.deepEqual(a.metrics, fakeMetrics(graph, DEFAULT_PROXY_TASK.seed));
    assert.notDeepEqual(fakeMetrics(graph, 1), fakeMetrics(graph, 2));
  });

  test('a coded training error (NaN loss) is a failed result; an uncoded error propagates for a retry', async () => {
    const r = await processTrial(job(), { trainer: createFakeTrainer({ nan: [4] }) });
    assert.equal(r.status, 'failed');
    assert.match(r.error!, /^NAN_LOSS: /);
    await assert.rejects(processTrial(job(), { trainer: createFakeTrainer({ throw: [4] }) }), /fake transient failure/);
    const sys = Object.assign(new Error('connection reset'), { code: 'ECONNRESET', errno: -104 });
    await assert.rejects(
      processTrial(job(), {
        trainer: async () => {
          throw sys;
        },
      }),
      /connection reset/,
    );
    const aborted = Object.assign(new Error('aborted at step 7'), { code: 'ABORTED' });
    await assert.rejects(
      processTrial(job(), {
        trainer: async () => {
          throw aborted;
        },
      }),
      /aborted at step 7/,
    );
  });

  test('progress is forwarded', async () => {
    const steps: number[] = [];
    await processTrial(job(), { trainer: createFakeTrainer(), onProgress: (p) => steps.push(p.step) });
    assert.deepEqual(steps, [1, 2, 3, 4]);
  });
});

describe('redis URLs', () => {
  test('parse host, port, db, credentials and TLS', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6380/2'), { host: '127.0.0.1', port: 6380, db: 2 });
    assert.deepEqual(parseRedisUrl('redis://h'), { host: 'h', port: 6379, db: 0 });
    const o = parseRedisUrl('rediss://us%40r:p%3Ass@redis.example:6390/0');
    assert.equal(o.username, 'us@r');
    assert.equal(o.password, 'p:ss');
    assert.deepEqual(o.tls, { servername: 'redis.example' });
    assert.deepEqual(parseRedisUrl('redis://:secret@h:1'), { host: 'h', port: 1, db: 0, password: 'secret' });
  });
  test('reject bad URLs with a clear message that hides the password', () => {
    assert.throws(
      () => parseRedisUrl('http://h:1'),
      (e: unknown) => e instanceof RedisUrlError && /scheme/.test(e.message),
    );
    assert.throws(() => parseRedisUrl('redis://h:1/x'), /database must be/);
    assert.throws(() => parseRedisUrl('not a url'), /not a URL/);
    assert.throws(
      () => parseRedisUrl('redis://u:hunter2@h:1/x'),
      (e: unknown) => !(e as Error).message.includes('hunter2'),
    );
    assert.equal(redact('redis://u:hunter2@h:1'), 'redis://u:***@h:1');
  });
  test('warn when maxmemory-policy is not noeviction (and stay quiet when CONFIG is unavailable)', async () => {
    const fake = (reply: () => Promise<unknown>) => ({ call: reply }) as unknown as Redis;
    const warned: string[] = [];
    await warnIfEvicting(
      fake(async () => ['maxmemory-policy', 'allkeys-lru']),
      (m) => warned.push(m),
    );
    await warnIfEvicting(
      fake(async () => ['maxmemory-policy', 'noeviction']),
      (m) => warned.push(m),
    );
    await warnIfEvicting(
      fake(async () => {
        throw new Error('ERR unknown command CONFIG');
      }),
      (m) => warned.push(m),
    );
    assert.equal(warned.length, 1);
    assert.match(warned[0], /"allkeys-lru".*noeviction/);
  });
});
