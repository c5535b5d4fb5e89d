// The CLI end to end: `search` (dry run, bad files, an embedded run with the fake trainer), `status`,
// `export` in every format.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { cliAsync } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const run = cliAsync;

const FAKE = { PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify({ delayMs: [20, 80], nan: [2] }) };
const out = join(root, 'results', 'cli');
const good = {
  name: 'cli',
  seed: 9,
  space: { name: 'nas-fpn', options: { cells: 5, levels: { min: 3, max: 5 } } },
  controller: { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } },
  budget: { trials: 5 },
  concurrency: 2,
  output: out,
};
function file(name: string, value: unknown): string {
  const f = join(root, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return f;
}

describe('pyramid-nas search / status / export', () => {
  test('a malformed campaign file exits 2 with JSON paths and writes nothing', async () => {
    const bad = file('bad.json', {
      ...good,
      output: join(root, 'never'),
      budget: { trails: 5 },
      space: { name: 'nas-fpn', options: { cells: 'many' } },
      surprise: true,
    });
    const r = await run(['search', bad, '--json']);
    assert.equal(r.code, 2);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const paths = report.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['$.budget', '$.budget.trails', '$.surprise']);
    assert.match(r.stderr, /\$\.surprise: unknown key/);
    assert.equal(existsSync(join(root, 'never')), false);
    const opts = await run([
      'search',
      file('bad2.json', {
        ...good,
        output: join(root, 'never'),
        space: { name: 'nas-fpn', options: { cells: 'many' } },
      }),
    ]);
    assert.equal(opts.code, 2);
    assert.match(opts.stderr, /\$\.space\.options\.cells/);
    const syntax = await run(['search', file('bad3.json', '{ "name": "x",, }')]);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /line 1, column \d+/);
    assert.equal(existsSync(join(root, 'never')), false);
  });

  test('--dry-run prints the resolved config and writes nothing', async () => {
    const r = await run(['search', file('good.json', good), '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    const cfg = JSON.parse(r.stdout);
    assert.equal(cfg.proxy.dataset, 'shapes');
    assert.equal(cfg.retry.attempts, 3);
    assert.equal(existsSync(out), false);
  });

  test('search runs embedded, ends with the best graph, AP and folder; status and export read it', async () => {
    const r = await run(['search', file('good.json', good)], FAKE);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /finished \(trials\): 5 trials, 1 failed, 0 invalid/);
    assert.match(r.stdout, /best \(reward 0\.\d{4}\): AP 0\.\d{4} — trial cli-\d+, hash [0-9a-f]{12}/);
    assert.match(
      r.stdout,
      /proxy cost: [\d.]+ MMACs, \d+ params \(neck at the proxy's width: 32 channels, repeats capped at 2, 64×64 input\)/,
    );
    assert.match(r.stdout, new RegExp(`outputs: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    for (const f of ['campaign.json', 'journal.jsonl', 'trials.csv', 'best.graph.json', 'pareto.json', 'best.svg'])
      assert.ok(existsSync(join(out, f)), f);

    const again = await run(['search', file('good.json', good)], FAKE);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /--resume/);

    const st = await run(['status', out]);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /campaign cli: 5 told of 5/);
    assert.match(st.stdout, /cli-2\s+failed .*NAN_LOSS/);
    assert.match(st.stdout, /best \(reward 0\.\d{4}\): AP 0\.\d{4} — trial cli-\d+/);
    const sj = JSON.parse((await run(['status', out, '--json'])).stdout);
    assert.equal(sj.trials.length, 5);

    for (const format of ['json', 'svg', 'dot', 'mermaid']) {
      const dest = join(root, `export-${format}`);
      const e = await run(['export', out, '--top', '2', '--format', format, '--out', dest]);
      assert.equal(e.code, 0, e.stderr);
      const files = readdirSync(dest).sort();
      assert.equal(files.length, 2);
      assert.match(files[0], /^01-cli-\d+\./);
      const text = readFileSync(join(dest, files[0]), 'utf8');
      if (format === 'json') {
        const g = JSON.parse(text);
        assert.equal(g.format, 'pyramid-graph/1');
        assert.equal(g.meta.campaign, 'cli');
        assert.equal(typeof g.meta.AP, 'number');
        assert.equal(g.meta.trial, files[0].slice(3, -'.graph.json'.length));
      }
      if (format === 'svg') assert.match(text, /<svg/);
      if (format === 'dot') assert.match(text, /digraph/);
    }
    const best = JSON.parse(readFileSync(join(out, 'best.graph.json'), 'utf8'));
    const first = JSON.parse(
      readFileSync(join(root, 'export-json', readdirSync(join(root, 'export-json')).sort()[0]), 'utf8'),
    );
    assert.deepEqual(first, best);
  });

  test('status and export of a folder that is not a campaign exit 2', async () => {
    assert.equal((await run(['status', join(root, 'nothing')])).code, 2);
    assert.equal((await run(['export', join(root, 'nothing'), '--out', join(root, 'x')])).code, 2);
    assert.equal((await run(['export', out, '--format', 'png', '--out', join(root, 'x')])).code, 2);
  });
});
