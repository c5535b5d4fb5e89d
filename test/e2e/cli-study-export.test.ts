// `pyramid-nas study STUDY.json --export [DIR]` end to end on the tiny study (fake trainer): the exported graph
// is the held-out best over every run, found here independently from the runs' trials.csv; it validates, its
// provenance is in meta.discovered, and its test AP is reported but never chosen on (an evaluation altered
// so that another graph is best on test changes nothing but the reported figure). Bad inputs exit 2 leaving
// nothing behind. `zoo --discovered DIR` lists the exported graph, and without one the zoo's output is as it was.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { graphHash, parseGraphFile } from '../../src/graph/index.js';
import { cliSync } from './cli-process.js';

const FIXTURE = 'test/fixtures/studies/tiny.study.json';
const FAKE = { PYRAMID_NAS_TRAINER: 'fake' };

const cli = (args: string[], env: NodeJS.ProcessEnv = FAKE) => cliSync(args, env, 180_000);

let root: string;
let out: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-study-export-'));
  out = join(root, 'tiny');
  const r = cli(['study', FIXTURE, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => rmSync(root, { recursive: true, force: true }));

interface Row {
  run: string;
  index: number;
  trialId: string;
  reward: number;
  AP: number;
  hash: string;
}

/** Every completed trial of every run, from trials.csv (no quoted cells in these), in the study's run order. */
function trials(studyOut: string): Row[] {
  const study = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const rows: Row[] = [];
  for (const c of study.campaigns)
    for (const seed of study.seeds) {
      const run = `${c.name}-s${seed}`;
      const [head, ...lines] = readFileSync(join(studyOut, 'campaigns', run, 'trials.csv'), 'utf8')
        .trim()
        .split('\n');
      const cols = head.split(',');
      for (const line of lines) {
        const cell = (k: string) => line.split(',')[cols.indexOf(k)];
        if (cell('status') !== 'complete' || !Number.isFinite(Number(cell('reward')))) continue;
        const row = { index: Number(cell('index')), trialId: cell('trialId'), hash: cell('hash') };
        rows.push({ run, ...row, reward: Number(cell('reward')), AP: Number(cell('AP')) });
      }
    }
  return rows;
}

/** The held-out argmax: highest reward; of equal rewards, the earlier run, then the lower trial index. */
function heldOutBest(rows: Row[]): Row {
  const runs = [...new Set(rows.map((r) => r.run))];
  return [...rows].sort(
    (a, b) => b.reward - a.reward || runs.indexOf(a.run) - runs.indexOf(b.run) || a.index - b.index,
  )[0];
}

interface Discovered {
  study: string;
  studyFile: string;
  campaign: string;
  seed: number;
  trialId: string;
  heldOutAP: number;
  proxy: { backboneWeights?: unknown; dataset?: unknown };
  space: { name: string };
  testAP?: { mean: number; sd: number | null; seeds: number; budget: number };
  transferAP?: { dataset: string; mean: number; sd: number | null; seeds: number; budget: number };
  selectedBy: string;
}

async function exported(file: string): Promise<{ hash: string; discovered: Discovered; name: string }> {
  const parsed = await parseGraphFile(file);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
  return {
    hash: graphHash(parsed.graph),
    name: parsed.graph.name,
    discovered: (parsed.graph.meta as { discovered: Discovered }).discovered,
  };
}

describe('pyramid-nas study --export', () => {
  test('writes the held-out best with its provenance; the test AP is reported, not chosen on', async () => {
    const dir = join(root, 'discovered');
    const r = cli(['study', FIXTURE, '--out', out, '--export', dir]);
    assert.equal(r.code, 0, r.stderr);
    const names = ['tiny.graph.json', 'tiny.svg', 'tiny.py', 'tiny.retinanet_r50.mmdet.py'];
    assert.deepEqual(
      r.stdout.trim().split('\n'),
      names.map((n) => join(dir, n)),
    );
    assert.deepEqual(readdirSync(dir).sort(), [...names].sort());
    assert.match(readFileSync(join(dir, 'tiny.svg'), 'utf8'), /^<svg /);
    assert.match(readFileSync(join(dir, 'tiny.py'), 'utf8'), /import torch/);

    const best = heldOutBest(trials(out));
    const g = await exported(join(dir, 'tiny.graph.json'));
    assert.equal(g.name, 'tiny');
    assert.equal(g.hash, best.hash);
    const d = g.discovered;
    assert.equal(d.trialId, best.trialId);
    assert.equal(`${d.campaign}-s${d.seed}`, best.run);
    assert.equal(d.heldOutAP, best.AP);
    assert.equal(d.study, 'tiny');
    assert.equal(d.studyFile, FIXTURE);
    assert.equal(d.selectedBy, 'held-out reward');
    assert.equal(d.space.name, 'nas-fpn');
    assert.equal(typeof d.proxy.backboneWeights, 'string');
    assert.equal(d.proxy.dataset, 'shapes');
    // The test AP is the evaluation's entry of the same canonical hash.
    const ev = JSON.parse(readFileSync(join(out, 'evaluation', 'evaluation.json'), 'utf8'));
    const entry = ev.entries.find((e: { hash: string }) => e.hash === g.hash);
    assert.ok(entry, 'the held-out best is among the evaluated winners');
    assert.deepEqual(d.testAP, { mean: entry.AP.mean, sd: entry.AP.sd, seeds: 2, budget: 1 });
    // The transfer evaluation's figure for it (each campaign's best is transferred) rides along.
    const tr = JSON.parse(readFileSync(join(out, 'transfer', 'evaluation.json'), 'utf8'));
    const trEntry = tr.entries.find((e: { hash: string }) => e.hash === g.hash);
    assert.ok(trEntry, 'the held-out best is among the transferred winners');
    assert.deepEqual(d.transferAP, {
      dataset: 'fashion-mnist-scenes',
      mean: trEntry.AP.mean,
      sd: trEntry.AP.sd,
      seeds: 2,
      budget: 1,
    });
    assert.match(
      r.stderr,
      new RegExp(`${best.trialId} .*best held-out reward .*test AP .*\\(reported, not selected on\\)`),
    );

    // Again into the same folder: the same bytes, nothing left over.
    const before = readFileSync(join(dir, 'tiny.graph.json'), 'utf8');
    assert.equal(cli(['study', FIXTURE, '--out', out, '--export', dir]).code, 0);
    assert.equal(readFileSync(join(dir, 'tiny.graph.json'), 'utf8'), before);
    assert.deepEqual(readdirSync(dir).sort(), [...names].sort());

    // An evaluation in which the held-out best is the worst on test and another trial the best: the same
    // graph is exported, with the altered test AP reported.
    const copy = join(root, 'altered');
    cpSync(out, copy, { recursive: true });
    const evFile = join(copy, 'evaluation', 'evaluation.json');
    for (const e of ev.entries) e.AP.mean = e.hash === g.hash ? 0.001 : 0.9;
    writeFileSync(evFile, JSON.stringify(ev));
    const testBest = ev.entries.find((e: { hash: string; role: string }) => e.role === 'trial' && e.hash !== g.hash);
    assert.ok(testBest, 'another trial is evaluated, so the test split would choose differently');
    const alteredDir = join(root, 'altered-discovered');
    const a = cli(['study', FIXTURE, '--out', copy, '--export', alteredDir]);
    assert.equal(a.code, 0, a.stderr);
    const ga = await exported(join(alteredDir, 'tiny.graph.json'));
    assert.equal(ga.hash, g.hash);
    assert.equal(ga.discovered.trialId, best.trialId);
    assert.equal(ga.discovered.testAP?.mean, 0.001);
    // The report's headline comparison is the same held-out winner; the test-split best is named as optimistic.
    const rep = cli(['study', FIXTURE, '--out', copy, '--report']);
    assert.equal(rep.code, 0, rep.stderr);
    const winnerName = ev.entries.find((e: { hash: string }) => e.hash === g.hash).name;
    assert.match(
      rep.stdout,
      new RegExp(`The study's winner, chosen on held-out reward \\(\`--export\`\\), ${winnerName} `),
    );
    assert.match(rep.stdout, new RegExp(`on the test split itself, ${testBest.name} .*so optimistic`));

    // Without an evaluation: the same graph, no testAP, and a warning.
    rmSync(join(copy, 'evaluation'), { recursive: true });
    const noEvalDir = join(root, 'no-eval');
    const n = cli(['study', FIXTURE, '--out', copy, '--export', noEvalDir]);
    assert.equal(n.code, 0, n.stderr);
    assert.match(n.stderr, /no test-split result for this graph yet/);
    const gn = await exported(join(noEvalDir, 'tiny.graph.json'));
    assert.equal(gn.hash, g.hash);
    assert.equal(gn.discovered.testAP, undefined);
  });

  test('a study with no completed trial exits 2 and writes nothing', () => {
    const dir = join(root, 'none');
    const r = cli(['study', FIXTURE, '--out', join(root, 'never-ran'), '--export', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no campaign run of study "tiny" has a completed trial to export \(random-s0: not started/);
    assert.throws(() => readdirSync(dir), /ENOENT/);
  });

  test('a damaged evaluation.json, or runs from another version of the study file: exit 2, named', () => {
    const copy = join(root, 'damaged');
    cpSync(out, copy, { recursive: true });
    const evFile = join(copy, 'evaluation', 'evaluation.json');
    const ev = JSON.parse(readFileSync(evFile, 'utf8'));
    ev.entries[1].AP.mean = 'high';
    writeFileSync(evFile, JSON.stringify(ev));
    for (const mode of [['--export', join(root, 'damaged-discovered')], ['--report']]) {
      const r = cli(['study', FIXTURE, '--out', copy, ...mode]);
      assert.equal(r.code, 2, `${mode[0]}: ${r.stderr}`);
      assert.match(r.stderr, /evaluation\.json: not a pyramid-nas-evaluation\/1 file .*\$\.entries\[1\]\.AP\.mean: /);
    }
    assert.throws(() => readdirSync(join(root, 'damaged-discovered')), /ENOENT/);
    writeFileSync(evFile, '{"format": ');
    const cut = cli(['study', FIXTURE, '--out', copy, '--report']);
    assert.equal(cut.code, 2, cut.stderr);
    assert.match(cut.stderr, /evaluation\.json: invalid JSON at line 1, column 12/);

    const changed = join(root, 'changed.study.json');
    const study = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    writeFileSync(changed, JSON.stringify({ ...study, proxy: { ...study.proxy, heldoutImages: 9 } }));
    const r = cli(['study', changed, '--out', out, '--export', join(root, 'changed-discovered')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /another configuration than .*changed\.study\.json now gives it \(\$\.proxy\.heldoutImages/);
    assert.throws(() => readdirSync(join(root, 'changed-discovered')), /ENOENT/);
  });

  test('a DIR whose parent is missing, a DIR that is a file, a target that is a folder: exit 2, nothing written', () => {
    const missing = cli(['study', FIXTURE, '--out', out, '--export', join(root, 'no', 'such', 'dir')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /its parent folder .*no\/such does not exist/);

    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const notDir = cli(['study', FIXTURE, '--out', out, '--export', file]);
    assert.equal(notDir.code, 2, notDir.stderr);
    assert.match(notDir.stderr, /a-file: exists and is not a folder/);

    const dir = join(root, 'blocked');
    mkdirSync(join(dir, 'tiny.svg'), { recursive: true });
    const blocked = cli(['study', FIXTURE, '--out', out, '--export', dir]);
    assert.equal(blocked.code, 2, blocked.stderr);
    assert.match(blocked.stderr, /tiny\.svg: exists and is not a file; nothing was written/);
    assert.deepEqual(readdirSync(dir), ['tiny.svg']);

    const both = cli(['study', FIXTURE, '--out', out, '--report', '--export', join(root, 'x')]);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--export cannot be combined with --report/);
  });
});

describe('pyramid-nas zoo --discovered', () => {
  test('lists an exported graph as discovered on the proxy; without one the output is the zoo’s alone', async () => {
    const dir = join(root, 'zoo-discovered');
    assert.equal(cli(['study', FIXTURE, '--out', out, '--export', dir]).code, 0);
    const { hash } = await exported(join(dir, 'tiny.graph.json'));

    const json = JSON.parse(cli(['zoo', '--json', '--discovered', dir]).stdout);
    const plain = JSON.parse(cli(['zoo', '--json', '--discovered', join(root, 'missing')]).stdout);
    assert.equal(json.graphs.length, plain.graphs.length + 1);
    const tiny = json.graphs.at(-1);
    assert.deepEqual([tiny.name, tiny.source, tiny.hash, tiny.file], ['tiny', 'discovered', hash, 'tiny.graph.json']);
    assert.ok(json.graphs.slice(0, -1).every((g: { source: string }) => g.source === 'reference'));
    assert.ok(plain.graphs.every((g: object) => !('source' in g)));
    assert.deepEqual(
      json.graphs.slice(0, -1).map(({ source: _s, ...g }: { source: string }) => g),
      plain.graphs,
    );

    const table = cli(['zoo', '--discovered', dir]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.split('\n')[0], /\s+hash\s+source$/);
    assert.match(table.stdout, new RegExp(`\\ntiny\\s.*\\s${hash.slice(0, 12)}\\s+discovered on the proxy\\n`));
    assert.match(table.stdout, /\nfpn\s.*\s39c5f383895e\s+reference\n/);

    // A missing folder and an empty one (README only, as in the repository) leave the output as it was.
    const empty = join(root, 'empty-discovered');
    mkdirSync(empty);
    writeFileSync(join(empty, 'README.md'), '# nothing\n');
    const none = cli(['zoo', '--discovered', join(root, 'missing')]).stdout;
    assert.equal(cli(['zoo', '--discovered', empty]).stdout, none);
    assert.doesNotMatch(none.split('\n')[0], /source/);
  });
});
