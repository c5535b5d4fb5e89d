// `pyramid-nas study` end to end with the fake trainer (PYRAMID_NAS_TRAINER=fake, as the campaigns' trial
// processes use it): a bad study file exits 2 naming the JSON path; the tiny study runs (campaigns in the
// process pool, the evaluation, the transfer) and prints the report it writes; a second run trains nothing;
// --report rewrites the same report from a copy of the folder's files alone; with --redis, the campaigns run
// on BullMQ queues served by a `pyramid-nas worker` (Redis on 127.0.0.1:6379, queue names unique to the test).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { cliSync } from './cli-process.js';

const FIXTURE = 'test/fixtures/studies/tiny.study.json';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-study-cli-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const study = (args: string[], env: NodeJS.ProcessEnv = {}) => cliSync(['study', ...args], env, 180_000);

/** Every file under `dir` with its contents (the lock file aside), to show nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (name.endsWith('.lock') || !/\.(jsonl|json)$/.test(name) || name.endsWith('campaign.json')) continue;
    out[name] = readFileSync(join(dir, name), 'utf8');
  }
  return out;
}

/** The report without its first paragraph (which names the command and its --out). */
const body = (md: string) => md.slice(md.indexOf('## 1.'));

describe('pyramid-nas study', () => {
  test('a bad study file exits 2 naming the JSON path; nothing is written', () => {
    const s = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    s.campaigns[1].budget.trials = 0;
    const file = join(root, 'bad.study.json');
    writeFileSync(file, JSON.stringify(s));
    const r = study([file, '--out', join(root, 'bad-out')], { PYRAMID_NAS_TRAINER: 'fake' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad\.study\.json: invalid study file\n {2}\$\.campaigns\[1\]\.budget\.trials: /);
    assert.throws(() => readdirSync(join(root, 'bad-out')), /ENOENT/);
  });

  test('runs the tiny study, then a rerun trains nothing, and --report reprints it from the files alone', () => {
    const out = join(root, 'tiny');
    const first = study([FIXTURE, '--out', out], { PYRAMID_NAS_TRAINER: 'fake' });
    assert.equal(first.code, 0, first.stderr);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    assert.equal(first.stdout, `${report}\n`);
    assert.match(report, /## 6\. Cost ledger/);
    assert.match(first.stderr, /campaigns: 4 run, 0 resumed, 0 already finished/);
    const files = snapshot(out);
    assert.ok(Object.keys(files).some((f) => f.endsWith(join('transfer', 'evaluation.jsonl'))));

    const again = study([FIXTURE, '--out', out], { PYRAMID_NAS_TRAINER: 'fake' });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /campaigns: 0 run, 0 resumed, 4 already finished/);
    assert.match(again.stderr, /12 trainings \(6 graphs × 2 seeds\): 12 already in/);
    assert.deepEqual(snapshot(out), files);

    // A copy of the folder, and the real trainer named: --report must not train (or load) anything.
    const copy = join(root, 'copy');
    cpSync(out, copy, { recursive: true });
    rmSync(join(copy, 'report.md'));
    const printed = study([FIXTURE, '--out', copy, '--report'], { PYRAMID_NAS_TRAINER: 'tfjs' });
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(body(printed.stdout), body(`${report}\n`));
    assert.equal(readFileSync(join(copy, 'report.md'), 'utf8'), printed.stdout.slice(0, -1));
    assert.match(printed.stdout, new RegExp(`Written by \`pyramid-nas study ${FIXTURE} --out ${copy} --report\``));
    assert.deepEqual(snapshot(copy), files);
  });
});

describe('pyramid-nas study --redis', () => {
  test('the campaigns run on BullMQ through a worker, to the same results as embedded', async () => {
    const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const s = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    s.name = `st${process.pid}x${Date.now() % 1e6}`;
    const file = join(root, 'redis.study.json');
    writeFileSync(file, JSON.stringify(s));
    const queues = ['random-s0', 'random-s1', 'evolution-asha-s0', 'evolution-asha-s1'].map((id) => `${s.name}-${id}`);
    const worker = spawn(
      process.execPath,
      ['bin/pyramid-nas.mjs', 'worker', '--redis', redis, ...queues.flatMap((q) => ['--campaign', q])],
      { env: { ...process.env, PYRAMID_NAS_TRAINER: 'fake' }, stdio: 'ignore' },
    );
    try {
      const out = join(root, 'redis');
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/pyramid-nas.mjs', 'study', file, '--out', out, '--redis', redis], {
          env: { ...process.env, PYRAMID_NAS_TRAINER: 'fake' },
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.stdout.resume();
        child.on('close', (code) => resolve({ code, stderr }));
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`queue ${queues[0]}: start workers with`));
      assert.match(r.stderr, /campaigns: 4 run, 0 resumed, 0 already finished/);
      // The same trials and results as the embedded run of the same study (the fake is deterministic).
      const embedded = join(root, 'redis-embedded');
      assert.equal(study([file, '--out', embedded], { PYRAMID_NAS_TRAINER: 'fake' }).code, 0);
      const told = (dir: string) =>
        readFileSync(join(dir, 'campaigns', 'evolution-asha-s1', 'journal.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.includes('"type":"told"'))
          .map((l) => {
            const e = JSON.parse(l);
            return [e.index, e.metrics?.AP];
          });
      assert.deepEqual(told(out), told(embedded));
    } finally {
      worker.kill('SIGTERM');
      for (const q of queues)
        spawnSync(process.execPath, ['bin/pyramid-nas.mjs', 'clean', '--redis', redis, '--campaign', q, '--force']);
    }
  });
});
