// `pyramid-nas evaluate --jobs N` end to end with the stand-in trainer (PYRAMID_NAS_TRAINER=fake): a --jobs
// outside 1..64 exits 2 naming the option; --jobs 2 journals the same records as --jobs 1.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { cliSync } from './cli-process.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-evaluate-jobs-cli-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const FAKE = { PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify({ delayMs: 100 }) };
const run = (args: string[]) => cliSync(['evaluate', ...args], FAKE);

describe('pyramid-nas evaluate --jobs', () => {
  for (const jobs of ['0', '65', '1.5', 'two']) {
    test(`--jobs ${jobs} exits 2 naming the option`, () => {
      const r = run(['fpn', '--jobs', jobs, '--out', join(root, 'bad')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`--jobs.*expected an integer in \\[1, 64\\], got "${jobs}"`));
      assert.equal(r.stdout, '');
    });
  }

  test('--jobs 2 journals the same records as --jobs 1', () => {
    const records = (jobs: string) => {
      const out = join(root, `jobs-${jobs}`);
      const args = ['fpn', '--baselines', 'pafpn', '--budget', '1', '--seeds', '2', '--jobs', jobs, '--out', out];
      const r = run(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /4 trainings \(2 graphs × 2 seeds\)/);
      assert.match(r.stdout, /\nfpn +2\/2 /);
      return readFileSync(join(out, 'evaluation.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const { name, seed, hash, task, metrics } = JSON.parse(line);
          return { name, seed, hash, task, metrics };
        })
        .sort((a, b) => `${a.name}:${a.seed}`.localeCompare(`${b.name}:${b.seed}`));
    };
    const one = records('1');
    assert.equal(one.length, 4);
    assert.deepEqual(records('2'), one);
  });
});
