// OutageLog: however many connections report each failed reconnect, one "lost" line per outage and one
// "restored" line once the watched connection is ready and quiet; which errors count as an outage.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';

import type { Redis } from 'ioredis';

import { isAuthFailure, isConnectionError, OutageLog } from '../../src/util/redis-connection.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
};

describe('OutageLog', () => {
  test('one line per outage and one per recovery, for any number of errors from any connection', async () => {
    const conn = Object.assign(new EventEmitter(), { status: 'ready' as string });
    const lines: string[] = [];
    const log = OutageLog.watch(
      conn as unknown as Redis,
      { lost: (e) => lines.push(`lost ${e}`), restored: () => lines.push('restored') },
      30,
    );
    try {
      for (let outage = 1; outage <= 2; outage++) {
        conn.status = 'reconnecting';
        for (let i = 0; i < 20; i++) conn.emit('error', refused()); // the watched connection
        for (let i = 0; i < 20; i++) log.lost(refused()); // BullMQ's blocking connections
        assert.equal(lines.length, 2 * outage - 1);
        await new Promise((r) => setTimeout(r, 80));
        assert.equal(lines.length, 2 * outage - 1, 'no recovery while the connection is not ready');
        conn.status = 'ready';
        await until('the recovery line', () => lines.length === 2 * outage);
      }
      assert.deepEqual(lines, [
        'lost connect ECONNREFUSED 127.0.0.1:6390',
        'restored',
        'lost connect ECONNREFUSED 127.0.0.1:6390',
        'restored',
      ]);
    } finally {
      log.stop();
    }
    assert.equal(conn.listenerCount('error'), 0, 'stop() detaches from the connection');
  });

  test('connection and authentication errors are outages; other errors are not', () => {
    assert.ok(isConnectionError(refused()));
    assert.ok(isConnectionError(new Error('Connection is closed.')));
    assert.ok(isConnectionError(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
    assert.ok(isAuthFailure(new Error('NOAUTH Authentication required.')));
    assert.ok(!isAuthFailure(refused()));
    assert.ok(!isConnectionError(new Error('Missing lock for job 3. moveToFinished')));
  });
});
