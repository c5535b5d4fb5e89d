// A worker logs one line when Redis goes away and one when it is back, per outage, instead of one error
// line per reconnect attempt of every connection. A PRIVATE redis-server on a free port is stopped and
// started twice; the shared Redis is never touched. After the outages the worker still trains.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { describe, test } from 'node:test';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { BullmqQueue } from '../../src/campaign/queue/bullmq.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialResult } from '../../src/trial/types.js';
import { connectRedis } from '../../src/util/redis-connection.js';
import { cli, freePort, killGroup, startPrivateRedis, stopProcess, waitFor } from './campaign-helpers.js';

const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

describe('Redis outages in the worker log', () => {
  test('two outages: two "connection lost" lines, two "reconnected" lines, no per-retry errors; then it still trains', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let server: ChildProcess = await startPrivateRedis(port);
    const name = 'outage';
    const redis = connectRedis(url);
    redis.on('error', () => {});
    const queue = new BullmqQueue({ campaign: name, connection: redis, attempts: 3, backoffMs: 50, reconcileMs: 300 });
    await queue.queue.waitUntilReady(); // the campaign queue exists: the worker serves it
    const w = cli(['worker', '--redis', url, '--campaign', name], {
      PYRAMID_NAS_TRAINER: 'fake',
      PYRAMID_NAS_FAKE: '{}',
    });
    try {
      await waitFor(
        'the worker to serve the queue',
        () => w.stderr().includes('worker ready') && w.stderr().includes(`serving campaign campaign=${name}`),
        30_000,
      );
      for (let outage = 1; outage <= 2; outage++) {
        await stopProcess(server, 'SIGKILL');
        // Long enough for many reconnect attempts (every ≤ 1 s) of each connection.
        await new Promise((r) => setTimeout(r, 3500));
        server = await startPrivateRedis(port);
        await waitFor(`reconnect #${outage}`, () => count(w.stderr(), /Redis reconnected/) >= outage, 20_000);
      }
      await new Promise((r) => setTimeout(r, 1500)); // late errors of a lagging connection would show here
      const log = w.stderr();
      assert.equal(count(log, /Redis connection lost; reconnecting/), 2, log);
      assert.equal(count(log, /Redis reconnected/), 2, log);
      // The error a lost line names depends on timing: the killed server's open socket is reset
      // (ECONNRESET), a write to it fails (EPIPE), or the first reconnect is refused (ECONNREFUSED).
      // Whichever it is, only the two "lost" lines name an error code.
      const errorLines = log.split('\n').filter((l) => /\bE[A-Z]{3,}\b/.test(l));
      assert.equal(errorLines.length, 2, `only the two "lost" lines name the error:\n${log}`);
      for (const line of errorLines) assert.match(line, /Redis connection lost; reconnecting/, log);
      assert.equal(count(log, /worker error/), 0, log);

      // The restarted server lost the queue (no persistence); the campaign side adds its job again.
      const results: TrialResult[] = [];
      queue.onResult((r) => results.push(r));
      const space = getSpace('nas-fpn', {});
      await queue.submit({
        campaign: name,
        trialId: `${name}-0`,
        index: 0,
        graph: space.decode(space.sample(createRng(1))),
        proxy: { ...DEFAULT_PROXY_TASK },
      });
      await waitFor('a trial after the outages', () => results.length > 0, 30_000);
      assert.equal(results[0].status, 'complete');
    } finally {
      await killGroup(w.child, 'SIGKILL');
      await queue.close();
      redis.disconnect();
      await stopProcess(server, 'SIGKILL');
    }
  });
});
