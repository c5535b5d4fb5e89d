// `pyramid-nas evaluate` end to end, on a tiny proxy (few steps, 32 px, a handful of images) so real
// trainings take about a second: bad input exits 2 naming the problem; a run killed mid-way and started
// again trains only what its journal lacks; a campaign's best trials are evaluated next to projected
// baselines, with the held-out AP each was selected on.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import sharp from 'sharp';

import { cliSync } from './cli-process.js';

const TINY = JSON.stringify({ steps: 30, imageSize: 32, trainImages: 16, heldoutImages: 8, batchSize: 4, channels: 8 });

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-evaluate-cli-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => cliSync(['evaluate', ...args], env, 300_000);

const journalLines = (out: string) =>
  existsSync(join(out, 'evaluation.jsonl'))
    ? readFileSync(join(out, 'evaluation.jsonl'), 'utf8').split('\n').filter(Boolean)
    : [];

describe('pyramid-nas evaluate: bad input exits 2 with a message', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['nothing to evaluate', [], /nothing to evaluate: give graph files \(or zoo names\) or --campaign DIR/],
    ['graphs and a campaign', ['fpn', '--campaign', 'results/x'], /give graph files or --campaign DIR, not both/],
    ['--top without a campaign', ['fpn', '--top', '2'], /--top needs --campaign DIR/],
    [
      'a graph outside the task levels',
      ['fpn', '--levels', '3-5'],
      /fpn: graph "fpn" covers P3–P7, but this evaluation's task predicts on P3–P5/,
    ],
    [
      'a second graph on other levels',
      ['fpn', 'GRAPH35'],
      /graph "p35" covers P3–P5, but this evaluation's task predicts on P3–P7/,
    ],
    ['an unknown baseline', ['fpn', '--baselines', 'pafpn,nope'], /"nope": no zoo graph "nope" \(known: .*fpn/],
    ['a baseline level outside the task', ['fpn', '--baselines', 'single-level-c2'], /C2 is outside P3–P7/],
    ['a missing graph file', ['missing.graph.json'], /missing\.graph\.json/],
    ['bad --proxy JSON', ['fpn', '--proxy', '{steps'], /--proxy.*expected a JSON object of proxy-task keys/],
    ['an unknown proxy key', ['fpn', '--proxy', '{"stepz": 3}'], /\$\.stepz: unknown key/],
    ['a bad --budget', ['fpn', '--budget', '0'], /--budget.*expected an integer in \[1, 1000\], got "0"/],
    ['a bad --levels', ['fpn', '--levels', '5-3'], /expected a level range like 3-5/],
    ['a folder that is no campaign', ['--campaign', 'ROOT'], /no journal here/],
  ];
  for (const [what, args, message] of cases) {
    test(what, () => {
      const graph35 = join(root, 'p35.graph.json');
      writeFileSync(
        graph35,
        JSON.stringify({
          format: 'pyramid-graph/1',
          name: 'p35',
          levels: { min: 3, max: 5 },
          channels: 8,
          repeats: 1,
          nodes: [
            { id: 'a', level: 3, op: 'sum', inputs: ['C3'], post: 'none' },
            { id: 'b', level: 4, op: 'sum', inputs: ['C4'], post: 'none' },
            { id: 'c', level: 5, op: 'sum', inputs: ['C5'], post: 'none' },
          ],
          outputs: { P3: 'a', P4: 'b', P5: 'c' },
        }),
      );
      const r = run(args.map((a) => (a === 'GRAPH35' ? graph35 : a === 'ROOT' ? root : a)));
      assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    });
  }

  test('a COCO folder without a test split is refused, naming where a test split comes from', async () => {
    const dir = join(root, 'coco-no-test');
    mkdirSync(join(dir, 'images'), { recursive: true });
    const ids = [1, 2, 3];
    for (const id of ids) {
      await sharp(Buffer.alloc(32 * 32 * 3, 40 * id), { raw: { width: 32, height: 32, channels: 3 } })
        .png()
        .toFile(join(dir, 'images', `${id}.png`));
    }
    writeFileSync(
      join(dir, 'instances.json'),
      JSON.stringify({
        images: ids.map((id) => ({ id, file_name: `${id}.png`, width: 32, height: 32 })),
        annotations: ids.map((id) => ({ id, image_id: id, category_id: 1, bbox: [4, 4, 8, 8], area: 64, iscrowd: 0 })),
        categories: [{ id: 1, name: 'thing' }],
      }),
    );
    writeFileSync(
      join(dir, 'pyramid-nas.split.json'),
      JSON.stringify({ format: 'pyramid-nas-split/1', train: [1, 2], heldout: [3] }),
    );
    const r = run([
      'fpn',
      '--dataset',
      'coco',
      '--data',
      dir,
      '--proxy',
      TINY,
      '--seeds',
      '1',
      '--out',
      join(root, 'o'),
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /dataset coco has no test images \(a COCO folder's test split is its split file's "test" key/,
    );
  });
});

describe('pyramid-nas evaluate: real trainings on a tiny proxy', () => {
  test('killed after its first record and started again, it trains only the missing ones', async () => {
    const out = join(root, 'resume');
    const args = ['fpn', '--baselines', 'single-level-c4', '--budget', '1', '--seeds', '2'];
    args.push('--proxy', TINY, '--test-images', '8', '--out', out);
    const child = spawn(process.execPath, ['bin/pyramid-nas.mjs', 'evaluate', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 240_000;
    while (journalLines(out).length === 0 && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const before = journalLines(out);
    assert.ok(before.length >= 1, `a record before the kill (stderr: ${stderr})`);
    assert.ok(before.length < 4, `the kill landed mid-run (${before.length} records)`);

    const r = run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`4 trainings \\(2 graphs × 2 seeds\\): ${before.length} already in .*skipped`));
    assert.equal((r.stderr.match(/^\[\d\/\d\] /gm) ?? []).length, 4 - before.length);
    const after = journalLines(out);
    assert.equal(after.length, 4);
    assert.deepEqual(after.slice(0, before.length), before, 'journaled records are kept as they were');
    const keys = after.map((l) => {
      const rec = JSON.parse(l);
      return `${rec.name}/${rec.seed}`;
    });
    assert.deepEqual([...keys].sort(), ['fpn/0', 'fpn/1', 'single-level-c4/0', 'single-level-c4/1']);
    assert.match(r.stdout, /^graph +seeds +AP \(test\)/);
    assert.match(r.stdout, /\nfpn +2\/2 /);
    const json = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8'));
    assert.equal(json.complete, true);
    assert.equal(json.task.proxy.steps, 30);
    assert.equal(json.task.testImages, 8);

    // Everything done: a third run trains nothing.
    const again = run(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /4 already in .*skipped/);
    assert.equal(journalLines(out).length, 4);
  });

  test("a campaign's best trials next to baselines projected onto its levels, with their held-out AP", () => {
    const out = join(root, 'campaign');
    const file = join(root, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'evaluate-cli',
        seed: 4,
        space: { name: 'nas-fpn', options: { cells: 3, levels: { min: 3, max: 5 } } },
        controller: { kind: 'random' },
        budget: { trials: 3 },
        concurrency: 1,
        output: out,
      }),
    );
    const search = spawnSync(process.execPath, ['bin/pyramid-nas.mjs', 'search', file], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify({ seconds: 0 }) },
    });
    assert.equal(search.status, 0, search.stderr);
    const evalOut = join(root, 'campaign-eval');
    const r = run(
      ['--campaign', out, '--top', '2', '--baselines', 'fpn', '--budget', '1', '--seeds', '1'].concat([
        '--proxy',
        TINY,
        '--test-images',
        '8',
        '--out',
        evalOut,
      ]),
    );
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(readFileSync(join(evalOut, 'evaluation.json'), 'utf8'));
    const trials = json.entries.filter((e: { role: string }) => e.role === 'trial');
    const fpn = json.entries.find((e: { name: string }) => e.name === 'fpn');
    assert.equal(trials.length, 2);
    for (const t of trials) {
      // The campaign's own graph file keeps the held-out AP the trial was selected on.
      const meta = JSON.parse(readFileSync(join(out, 'graphs', `${t.name}.graph.json`), 'utf8')).meta;
      assert.equal(meta.heldoutAP, t.heldoutAP);
      assert.equal(typeof t.heldoutAP, 'number');
      assert.ok(Math.abs(t.heldoutMinusTest - (t.heldoutAP - t.AP.mean)) < 1e-12);
    }
    assert.deepEqual(fpn.levels, { min: 3, max: 5 });
    assert.equal(fpn.heldoutAP, undefined);
    assert.match(r.stdout, /held-out AP +held-out − test/);
  });
});
