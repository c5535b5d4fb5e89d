// `pyramid-nas dashboard` end to end: the real CLI in a child process, its exit codes for bad input, a
// served campaign that stops cleanly on SIGTERM, and a served study folder.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { writeSyntheticCampaign } from '../../src/testing/synthetic-campaign.js';

const BIN = resolve('bin/pyramid-nas.mjs');
const root = mkdtempSync(join(tmpdir(), 'dash-cli-'));
const dir = join(root, 'cli');

before(() => {
  writeSyntheticCampaign(dir, { name: 'cli', trials: 3, writer: 'bulk' });
  mkdirSync(join(root, 'empty'));
  // A study folder as `pyramid-nas study` writes it: campaigns/<campaign>-s<seed>/ and report.md.
  for (const id of ['rl-s0', 'random-s0'])
    writeSyntheticCampaign(join(root, 'study', 'campaigns', id), { name: id, trials: 2, writer: 'bulk' });
  writeFileSync(join(root, 'study', 'report.md'), '# Study\n');
});
after(() => rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'dashboard', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

/** The dashboard in a child process, and the URL it prints once it listens. */
function serve(...args: string[]) {
  const child = spawn(process.execPath, [BIN, 'dashboard', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed in 30 s: ${out}`)), 30_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /dashboard: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  return { child, url };
}

async function stop(child: ReturnType<typeof spawn>) {
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
}

describe('pyramid-nas dashboard', () => {
  test('bad input exits 2 and says what is wrong', () => {
    const noJournal = cli('empty', '--port', '0');
    assert.equal(noJournal.code, 2);
    assert.match(noJournal.stderr, /empty: no journal\.jsonl here/);
    const open = cli('cli', '--host', '0.0.0.0', '--port', '0');
    assert.equal(open.code, 2);
    assert.match(open.stderr, /--host: 0\.0\.0\.0 is not a loopback address.*--token/);
    const port = cli('cli', '--port', 'eighty');
    assert.equal(port.code, 2);
    assert.match(port.stderr, /expected a port number/);
  });

  test('serves the campaign, prints its URL, stops on SIGTERM', async () => {
    const { child, url: started } = serve('cli', '--port', '0', '--token', 'a-long-token');
    try {
      const url = await started;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=a-long-token$/);
      const state = (await (await fetch(url.replace('/?', '/api/state?'))).json()) as {
        campaigns: Array<{ header: { name: string }; rows: unknown[] }>;
      };
      assert.equal(state.campaigns[0].header.name, 'cli');
      assert.equal(state.campaigns[0].rows.length, 3);
      assert.equal((await fetch(url.replace(/\?.*$/, 'api/state'))).status, 401);
    } finally {
      await stop(child);
    }
  });

  test('a study folder: its campaigns in the study order, and its report', async () => {
    const { child, url: started } = serve('study', '--port', '0');
    try {
      const url = await started;
      const state = (await (await fetch(url + 'api/state')).json()) as {
        campaigns: Array<{ header: { key: string }; rows: unknown[] }>;
        studies: Array<{ key: string; report: boolean }>;
      };
      assert.deepEqual(
        state.campaigns.map((c) => [c.header.key, c.rows.length]),
        [
          ['study/random-s0', 2],
          ['study/rl-s0', 2],
        ],
      );
      assert.deepEqual(
        state.studies.map((s) => [s.key, s.report]),
        [['study', true]],
      );
      assert.equal(await (await fetch(url + 'api/study-report?s=study')).text(), '# Study\n');
    } finally {
      await stop(child);
    }
  });
});
