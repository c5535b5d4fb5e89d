// `search` and its output folder, end to end: /proc, /sys and /dev are refused at once (a recursive mkdir
// under /proc used to spin a core forever); a fresh campaign never writes into a folder that holds files
// ("../../etc", an earlier trials.csv), and --dry-run checks this too and says what it found.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';

import { cli, killGroup } from '../integration/campaign-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-outdir-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
const FAKE = { PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify({ delayMs: 1 }) };

function campaignFile(name: string, output: string): string {
  const f = join(root, `${name}.json`);
  writeFileSync(
    f,
    JSON.stringify({
      name,
      space: { name: 'nas-fpn' },
      controller: { kind: 'random' },
      budget: { trials: 2 },
      concurrency: 1,
      output,
    }),
  );
  return f;
}

/** Runs the CLI, failing (and killing it) if it has not exited within `seconds`. */
async function runWithin(
  seconds: number,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = cli(args, FAKE);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), seconds * 1000)));
  const code = await Promise.race([c.exited, timeout]);
  clearTimeout(timer);
  if (code === 'timeout') {
    await killGroup(c.child, 'SIGKILL');
    assert.fail(`pyramid-nas ${args.join(' ')} did not exit within ${seconds} s`);
  }
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

describe('search: where a campaign may write', () => {
  for (const output of ['/proc/pnas-results/run', '/sys/pnas-results', '/dev/pnas-results']) {
    test(`output ${output}: exit 2 at once, also with --dry-run`, async () => {
      for (const extra of [[], ['--dry-run']]) {
        const r = await runWithin(30, ['search', campaignFile('sys', output), ...extra]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /refusing to write under \/(proc|sys|dev)/);
      }
    });
  }

  test('output through a symbolic link into /proc: refused', async () => {
    const link = join(root, 'looks-fine');
    symlinkSync('/proc/self', link);
    const r = await runWithin(30, ['search', campaignFile('link', join(link, 'results'))]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to write under \/proc \(it resolves to \/proc\//);
  });

  test('"../../etc" (a folder with files) fails --dry-run, which writes nothing', async () => {
    // The path that climbs from the working folder (the checkout, wherever it is) up to /etc.
    const climb = relative(process.cwd(), '/etc');
    assert.match(climb, /^(\.\.\/)+etc$/);
    const r = await runWithin(30, ['search', campaignFile('etc', climb), '--dry-run']);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${climb}: not empty`), r.stderr);
  });

  test('an existing trials.csv is never replaced: exit 2, the folder as it was', async () => {
    const dir = join(root, 'earlier');
    mkdirSync(dir);
    writeFileSync(join(dir, 'trials.csv'), 'precious results\n');
    for (const extra of [['--dry-run'], []]) {
      const r = await runWithin(60, ['search', campaignFile('earlier', dir), ...extra]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /not empty \(holds trials\.csv\)/);
    }
    assert.deepEqual(readdirSync(dir), ['trials.csv']);
    assert.equal(readFileSync(join(dir, 'trials.csv'), 'utf8'), 'precious results\n');
  });

  test('--dry-run says what it found: an absent folder, an empty one, a campaign to resume; it creates none', async () => {
    const absent = join(root, 'fresh', 'run');
    const a = await runWithin(30, ['search', campaignFile('absent', absent), '--dry-run']);
    assert.equal(a.code, 0, a.stderr);
    assert.match(
      a.stderr,
      /dry run: output folder .*fresh\/run does not exist; a run would create it\. Nothing was written\./,
    );
    assert.equal(existsSync(join(root, 'fresh')), false);

    const empty = join(root, 'empty');
    mkdirSync(empty);
    const e = await runWithin(30, ['search', campaignFile('empty', empty), '--dry-run']);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stderr, /empty is empty; a run would write into it/);
    assert.deepEqual(readdirSync(empty), []);

    const run = await runWithin(120, ['search', campaignFile('empty', empty)]);
    assert.equal(run.code, 0, run.stderr);
    const before = readdirSync(empty).sort();
    const again = await runWithin(30, ['search', campaignFile('empty', empty), '--dry-run']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a campaign journal; continue it with: pyramid-nas search --resume/);
    const resume = await runWithin(30, ['search', '--resume', empty, '--dry-run']);
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stderr, /holds this campaign; a run would continue it/);
    assert.deepEqual(readdirSync(empty).sort(), before);
  });
});
