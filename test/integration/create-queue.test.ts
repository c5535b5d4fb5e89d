// createQueue: the queue a campaign runs on, from the queue registry. With a Redis URL, a BullMQ queue on
// a connection that is up, closed together; a Redis that refuses the credentials is an authentication
// error at once, with the connection closed (nothing keeps reconnecting). The shared Redis with a unique
// campaign name; the password test a PRIVATE redis-server with requirepass.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { resolveCampaign } from '../../src/campaign/config.js';
import { createQueue } from '../../src/campaign/queue/create.js';
import { connectRedis, RedisAuthError } from '../../src/util/redis-connection.js';
import { freePort, obliterate, SHARED_REDIS, startPrivateRedis, stopProcess, uniqueName } from './campaign-helpers.js';

const campaign = (name: string) =>
  resolveCampaign({
    name,
    space: { name: 'nas-fpn' },
    controller: { kind: 'random' },
    budget: { trials: 1 },
    concurrency: 1,
  });

describe('createQueue', () => {
  test('with --redis: a BullMQ queue on a ready connection; close() closes both', async () => {
    const name = uniqueName('create-queue');
    const warnings: string[] = [];
    const q = await createQueue(campaign(name), { redis: SHARED_REDIS, warn: (m) => warnings.push(m) });
    try {
      assert.equal(q.queue.kind, 'bullmq');
      assert.equal(q.redis?.status, 'ready');
    } finally {
      await q.close();
      await obliterate(SHARED_REDIS, name);
    }
    assert.equal(q.redis?.status, 'end');
  });

  test('without: the embedded queue', async () => {
    const q = await createQueue(campaign(uniqueName('create-queue')));
    assert.equal(q.queue.kind, 'embedded');
    assert.equal(q.redis, undefined);
    await q.close();
  });

  test('a wrong password: RedisAuthError at once, and the connection is closed', async () => {
    const port = await freePort();
    const server = await startPrivateRedis(port, 'right-secret');
    const admin = connectRedis(`redis://:right-secret@127.0.0.1:${port}`);
    try {
      await assert.rejects(
        createQueue(campaign('c'), { redis: `redis://:wrong@127.0.0.1:${port}` }),
        (err: unknown) => err instanceof RedisAuthError,
      );
      // A connection left open would keep reconnecting (and failing) every second.
      const connections = async () => Number(/total_connections_received:(\d+)/.exec(await admin.info('stats'))![1]);
      const before = await connections();
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await connections(), before, 'no reconnect after the failure');
      const clients = ((await admin.client('LIST')) as string).trim().split('\n');
      assert.equal(clients.length, 1, `only the admin connection is left:\n${clients.join('\n')}`);
    } finally {
      admin.disconnect();
      await stopProcess(server);
    }
  });
});
