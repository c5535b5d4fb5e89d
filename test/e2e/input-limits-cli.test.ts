// Bounded input through the CLI: `search /dev/zero --dry-run` used to read forever (2 GB after 19 s);
// every command that reads a user's file now refuses a device or an oversized file at once, exit 2,
// naming the file; and a campaign with `channels: 1e309` or a `__proto__` option names the key's path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { cli, killGroup } from '../integration/campaign-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-limits-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function runWithin(
  seconds: number,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = cli(args);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    c.exited,
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), seconds * 1000))),
  ]);
  clearTimeout(timer);
  if (code === 'timeout') {
    await killGroup(c.child, 'SIGKILL');
    assert.fail(`pyramid-nas ${args.join(' ')} did not exit within ${seconds} s (stderr: ${c.stderr().slice(0, 300)})`);
  }
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

describe('files that are not files, or too big', () => {
  test('search /dev/zero --dry-run: exit 2 at once, naming the file', async () => {
    const r = await runWithin(30, ['search', '/dev/zero', '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /\/dev\/zero: invalid campaign file\n\s+\$: cannot read file: is a character device; only regular files are read/,
    );
  });

  test('validate, hash and render /dev/zero: exit 2', async () => {
    for (const args of [
      ['validate', '/dev/zero'],
      ['hash', '/dev/zero'],
      ['render', '/dev/zero'],
    ]) {
      const r = await runWithin(30, args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /\/dev\/zero: is a character device/);
    }
  });

  test('eval --gt /dev/zero: exit 2', async () => {
    const dt = join(root, 'dt.json');
    writeFileSync(dt, '[]');
    const r = await runWithin(30, ['eval', '--gt', '/dev/zero', '--dt', dt]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\/dev\/zero: cannot read: is a character device/);
  });

  test('a 2 MB campaign file: exit 2 with its size and the limit', async () => {
    const big = join(root, 'big.json');
    writeFileSync(big, `{"name":"x","pad":"${'p'.repeat(2_000_000)}"}`);
    const r = await runWithin(30, ['search', big, '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /1\.9 MiB \(2000021 bytes\) is over the 1 MiB limit for a campaign file/);
  });
});

describe('keys and numbers JSON.parse accepts but a schema would misreport', () => {
  test('channels 1e309 and a __proto__ option: exit 2 with the JSON path', async () => {
    const f = join(root, 'c.json');
    const campaign = (extra: string) =>
      `{"name":"c","space":{"name":"nas-fpn"${extra}},"controller":{"kind":"random"},"budget":{"trials":1}}`;
    writeFileSync(f, campaign('').replace('"budget"', '"proxy":{"channels":1e309},"budget"'));
    const big = await runWithin(30, ['search', f, '--dry-run']);
    assert.equal(big.code, 2);
    assert.match(big.stderr, /\$\.proxy\.channels: must be a finite number \(1e309 overflows\) at line 1, column \d+/);
    writeFileSync(f, campaign(',"options":{"__proto__":{"cells":3}}'));
    const proto = await runWithin(30, ['search', f, '--dry-run', '--json']);
    assert.equal(proto.code, 2);
    assert.match(proto.stderr, /\$\.space\.options\.__proto__: unknown key/);
    assert.deepEqual(JSON.parse(proto.stdout.trim()).issues, [
      { path: '$.space.options.__proto__', message: 'unknown key' },
    ]);
  });
});
