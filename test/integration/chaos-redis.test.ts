// The chaos benchmark's Redis faults do what its report says (bench/chaos/redis-server.ts): a crashed
// server without persistence comes back empty, one with AOF or an RDB snapshot comes back with its data,
// and a persistence switch at run time protects the data from the next crash.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { ChaosRedis } from '../../bench/chaos/redis-server.js';
import { freePort } from './campaign-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-chaos-redis-'));
const servers: ChaosRedis[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(root, { recursive: true, force: true });
});

test('crash and restart per persistence mode: none loses everything, aof and rdb keep what they saved', async () => {
  const r = await ChaosRedis.start(await freePort(), join(root, 'a'), 'none');
  servers.push(r);
  r.cli('SET', 'k', 'v1');
  await r.crash();
  await r.restart();
  assert.equal(r.cli('GET', 'k'), '', 'no persistence: the data set is gone');

  await r.switchTo('aof');
  r.cli('SET', 'k', 'v2');
  await new Promise((res) => setTimeout(res, 1500)); // everysec: fsynced within a second
  await r.crash();
  await r.restart();
  assert.equal(r.mode, 'aof');
  assert.equal(r.cli('GET', 'k'), 'v2', 'AOF: written more than a second before the crash, kept');

  await r.switchTo('rdb'); // snapshots at once
  await r.crash();
  await r.restart();
  assert.equal(r.cli('GET', 'k'), 'v2', 'RDB: the snapshot taken by the switch is loaded');

  await r.switchTo('none');
  await r.crash(); // stale files of the earlier modes must not come back
  await r.restart();
  assert.equal(r.cli('GET', 'k'), '');
});
