// `pyramid-nas clean --redis URL --campaign NAME [--force]`, run as the CLI against the shared Redis with
// queue names unique per test: it removes every key of the campaign's queue and prints what it removed;
// it refuses (exit 2, nothing removed, queue not left paused) while a job is active unless --force; an
// unknown campaign is exit 2 with the known queues listed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Queue, Worker } from 'bullmq';

import { connectRedis, QUEUE_PREFIX } from '../../src/util/redis-connection.js';
import { cli, obliterate, SHARED_REDIS, uniqueName } from './campaign-helpers.js';

async function keysOf(name: string): Promise<string[]> {
  const redis = connectRedis(SHARED_REDIS);
  try {
    return await redis.keys(`${QUEUE_PREFIX}:${name}:*`);
  } finally {
    redis.disconnect();
  }
}

async function clean(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const c = cli(['clean', '--redis', SHARED_REDIS, ...args]);
  const code = await c.exited;
  return { code, out: c.stdout(), err: c.stderr() };
}

describe('pyramid-nas clean', () => {
  test('removes a campaign queue with completed, failed and waiting jobs: every key is gone, and it says what it removed', async () => {
    const name = uniqueName('clean-done');
    const other = uniqueName('clean-other');
    const redis = connectRedis(SHARED_REDIS);
    const q = new Queue(name, { connection: redis, prefix: QUEUE_PREFIX });
    const neighbour = new Queue(other, { connection: redis, prefix: QUEUE_PREFIX });
    try {
      await neighbour.add('trial', { x: 1 }, { jobId: `${other}-0` });
      await q.add('trial', { ok: true }, { jobId: `${name}-0.0123456789ab` });
      await q.add('trial', { ok: false }, { jobId: `${name}-1.0123456789ab`, attempts: 1 });
      const w = new Worker(
        name,
        async (job) => {
          if (!job.data.ok) throw new Error('boom');
          return { trialId: job.id, status: 'complete', wallSeconds: 0 };
        },
        { connection: redis, prefix: QUEUE_PREFIX },
      );
      await new Promise<void>((resolve) => {
        let n = 0;
        const done = () => ++n === 2 && resolve();
        w.on('completed', done);
        w.on('failed', done);
      });
      await w.close();
      await q.add('trial', { ok: true }, { jobId: `${name}-2.0123456789ab` });
      assert.ok((await keysOf(name)).length > 0);

      const r = await clean('--campaign', name);
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.out,
        new RegExp(
          `removed campaign queue "${name}" from redis://127\\.0\\.0\\.1:6379: 1 waiting, 1 completed, 1 failed job\\(s\\), \\d+ key\\(s\\)`,
        ),
      );
      assert.deepEqual(await keysOf(name), []);
      assert.ok((await keysOf(other)).length > 0, 'other campaigns are untouched');
    } finally {
      await q.close();
      await neighbour.close();
      redis.disconnect();
      await obliterate(SHARED_REDIS, name);
      await obliterate(SHARED_REDIS, other);
    }
  });

  test('refuses while a job is active (exit 2, nothing removed, queue still running); --force removes it', async () => {
    const name = uniqueName('clean-active');
    const redis = connectRedis(SHARED_REDIS);
    const q = new Queue(name, { connection: redis, prefix: QUEUE_PREFIX });
    // A worker that has taken a job and holds its lock (as one training it would).
    const w = new Worker(name, null, { connection: redis, prefix: QUEUE_PREFIX, autorun: false, lockDuration: 60_000 });
    try {
      await q.add('trial', { trialId: `${name}-0` }, { jobId: `${name}-0.0123456789ab` });
      await q.add('trial', { trialId: `${name}-1` }, { jobId: `${name}-1.0123456789ab` });
      const taken = await w.getNextJob('test-token');
      assert.ok(taken);
      const before = (await keysOf(name)).sort();

      const refused = await clean('--campaign', name);
      assert.equal(refused.code, 2, refused.err);
      assert.match(
        refused.err,
        new RegExp(`campaign queue "${name}" has 1 active job\\(s\\) \\(${name}-0\\): .*--force`),
      );
      assert.deepEqual((await keysOf(name)).sort(), before, 'nothing removed');
      assert.equal(await q.isPaused(), false, 'the queue is not left paused');

      const forced = await clean('--campaign', name, '--force');
      assert.equal(forced.code, 0, forced.err);
      assert.match(forced.out, /1 active, 1 waiting job\(s\)/);
      assert.deepEqual(await keysOf(name), []);
    } finally {
      await w.close(true);
      await q.close();
      redis.disconnect();
      await obliterate(SHARED_REDIS, name);
    }
  });

  test('an unknown campaign: exit 2, and the queues that exist are listed; a bad name is a usage error', async () => {
    const known = uniqueName('clean-known');
    const redis = connectRedis(SHARED_REDIS);
    const q = new Queue(known, { connection: redis, prefix: QUEUE_PREFIX });
    try {
      await q.waitUntilReady();
      const missing = uniqueName('clean-missing');
      const r = await clean('--campaign', missing);
      assert.equal(r.code, 2);
      assert.match(r.err, new RegExp(`no campaign queue "${missing}" in Redis \\(known: [^)]*${known}`));
      assert.deepEqual(await keysOf(missing), [], 'looking created nothing');
      const bad = await clean('--campaign', 'a:b*');
      assert.equal(bad.code, 2);
      assert.match(bad.err, /campaign names match/);
    } finally {
      await q.close();
      redis.disconnect();
      await obliterate(SHARED_REDIS, known);
    }
  });
});
