// `pyramid-nas worker` start-up, run as the CLI: a campaign whose queue does not exist creates no keys,
// says so (listing the queues that do exist) and waits for it; a wrong or missing Redis password is an
// authentication error (exit 2) at once, not "cannot reach Redis" after a timeout. The password tests use
// a PRIVATE redis-server with requirepass; the typo test the shared Redis with a unique name.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Queue } from 'bullmq';

import { connectRedis, QUEUE_PREFIX } from '../../src/util/redis-connection.js';
import {
  cli,
  freePort,
  killGroup,
  obliterate,
  SHARED_REDIS,
  startPrivateRedis,
  stopProcess,
  uniqueName,
  waitFor,
} from './campaign-helpers.js';

/** A throwaway redis-server that wants a password. */
describe('worker CLI start-up', () => {
  test('--campaign with no such queue: no keys created, a clear message with the known queues, then it serves the queue once it appears', async () => {
    const typo = uniqueName('wcli-typo');
    const known = uniqueName('wcli-known');
    const redis = connectRedis(SHARED_REDIS);
    const existing = new Queue(known, { connection: redis, prefix: QUEUE_PREFIX });
    await existing.waitUntilReady();
    const w = cli(['worker', '--redis', SHARED_REDIS, '--campaign', typo], { PYRAMID_NAS_TRAINER: 'fake' });
    try {
      await waitFor('the worker to say it waits', () => w.stderr().includes('worker ready'), 90_000);
      assert.match(w.stderr(), new RegExp(`no campaign queue "${typo}" in Redis yet; waiting for it to appear`));
      assert.match(w.stderr(), new RegExp(`known=[^\\n]*${known}`), 'the existing queues are listed');
      await new Promise((r) => setTimeout(r, 1500)); // several lookups
      assert.deepEqual(
        await redis.keys(`${QUEUE_PREFIX}:${typo}:*`),
        [],
        'the worker created no keys for the missing campaign',
      );
      assert.equal(w.child.exitCode, null, 'it waits');

      const appearing = new Queue(typo, { connection: redis, prefix: QUEUE_PREFIX });
      await appearing.waitUntilReady();
      await waitFor(
        'the worker to serve the new queue',
        () => w.stderr().includes(`serving campaign campaign=${typo}`),
        10_000,
      );
      await appearing.close();
      w.child.kill('SIGTERM');
      assert.equal(await w.exited, 0);
    } finally {
      await killGroup(w.child, 'SIGKILL');
      await existing.close();
      redis.disconnect();
      await obliterate(SHARED_REDIS, typo);
      await obliterate(SHARED_REDIS, known);
    }
  });

  test('a wrong password, a wrong user or no password: "authentication failed", exit 2 at once', async () => {
    const port = await freePort();
    const server = await startPrivateRedis(port, 'right-secret');
    try {
      for (const [url, pattern] of [
        [`redis://:wrong@127.0.0.1:${port}`, /authentication failed: wrong user name or password \(WRONGPASS/],
        [
          `redis://nobody:right-secret@127.0.0.1:${port}`,
          /authentication failed: wrong user name or password \(WRONGPASS/,
        ],
        [`redis://127.0.0.1:${port}`, /authentication failed: the server requires a password \(NOAUTH\)/],
      ] as const) {
        const t0 = Date.now();
        const w = cli(['worker', '--redis', url, '--campaign', 'c']);
        const code = await w.exited;
        assert.equal(code, 2, `${url}: ${w.stderr()}`);
        assert.match(w.stderr(), pattern);
        assert.doesNotMatch(w.stderr(), /cannot reach Redis/);
        assert.doesNotMatch(w.stderr(), /wrong@|right-secret/, 'the password is not printed');
        assert.ok(Date.now() - t0 < 9000, 'reported before the 10 s reachability timeout');
      }
    } finally {
      await stopProcess(server, 'SIGKILL');
    }
  });
});
