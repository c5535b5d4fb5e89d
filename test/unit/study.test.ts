// `pyramid-nas study` as a library, with the fake trainer in this process: a bad study file is refused with
// each problem at its JSON path (a usage error: exit 2); a study of 2 campaigns × 2 seeds runs end to end,
// evaluates its winners and writes report.md with every section and its pictures; a study stopped after its
// first campaign, or in the middle of one, continues without redoing what was done.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import {
  evaluateStudy,
  evaluateTransfer,
  loadStudyFile,
  parseStudy,
  planStudy,
  runStudyCampaigns,
  StudyConfigError,
  studyEvalTrainer,
  type StudyInput,
  studyReport,
} from '../../src/study/index.js';
import { createFakeTrainer } from '../../src/testing/fake-trainer.js';
import { exitCodeOf } from '../../src/util/errors.js';

const FIXTURE = 'test/fixtures/studies/tiny.study.json';
const tiny = (): StudyInput => JSON.parse(readFileSync(FIXTURE, 'utf8')) as StudyInput;

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-study-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const queue = () => ({ runner: inlineRunner(createFakeTrainer()) });
// The evaluation's trainer as the CLI picks it with PYRAMID_NAS_TRAINER=fake.
const fakeEvalTrainer = await studyEvalTrainer({ PYRAMID_NAS_TRAINER: 'fake' });

async function issuesOf(input: unknown): Promise<string[]> {
  try {
    await planStudy(parseStudy(input, 'bad.study.json'), 'bad.study.json', join(root, 'never'));
  } catch (err) {
    assert.ok(err instanceof StudyConfigError, String(err));
    assert.equal(exitCodeOf(err), 2);
    assert.equal(err.code, 'BAD_STUDY');
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('the study was accepted');
}

describe('study file: every problem at its JSON path', () => {
  const cases: Array<[string, (s: Record<string, any>) => void, RegExp]> = [
    ['an unknown key', (s) => (s.campaigns[0].budgett = 1), /^\$\.campaigns\[0\]\.budgett: unknown key$/],
    ['a bad trial budget', (s) => (s.campaigns[1].budget.trials = 0), /^\$\.campaigns\[1\]\.budget\.trials: /],
    [
      'a campaign name used twice',
      (s) => (s.campaigns[1].name = 'random'),
      /^\$\.campaigns\[1\]\.name: "random" is used twice/,
    ],
    ['a seed listed twice', (s) => (s.seeds = [0, 0]), /^\$\.seeds\[1\]: seed 0 is listed twice/],
    ['no seeds', (s) => (s.seeds = []), /^\$\.seeds: /],
    [
      'an unknown controller',
      (s) => (s.campaigns[0].controller.kind = 'annealing'),
      /^\$\.campaigns\[0\]\.controller\.kind: unknown controller "annealing"/,
    ],
    [
      'bad space options',
      (s) => (s.campaigns[0].space.options.cells = 2),
      /^\$\.campaigns\[0\]\.space\.options\.cells: must be at least/,
    ],
    [
      'a bad controller option',
      (s) => (s.campaigns[1].controller.options.populationSize = -1),
      /^\$\.campaigns\[1\]\.controller\.options\.populationSize: /,
    ],
    [
      'ASHA over the proxy steps',
      (s) => (s.campaigns[1].scheduler.minSteps = 18),
      /^\$\.campaigns\[1\]\.scheduler\.minSteps: 18 must be below maxSteps/,
    ],
    ['a bad proxy key', (s) => (s.proxy.stepz = 3), /^\$\.proxy\.stepz: unknown key$/],
    ['a bad evaluation budget', (s) => (s.evaluate.budget = 0), /^\$\.evaluate\.budget: /],
    ['an unknown transfer dataset', (s) => (s.transfer.dataset = 'mnist'), /^\$\.transfer\.dataset: /],
  ];
  for (const [what, edit, expected] of cases) {
    test(what, async () => {
      const s = tiny() as Record<string, any>;
      edit(s);
      const issues = await issuesOf(s);
      assert.ok(
        issues.some((i) => expected.test(i)),
        issues.join('\n'),
      );
    });
  }

  test('a file that is not JSON names line and column', () => {
    const file = join(root, 'broken.study.json');
    writeFileSync(file, '{\n  "name": "x",\n}\n');
    assert.throws(
      () => loadStudyFile(file),
      (err: unknown) => {
        assert.ok(err instanceof StudyConfigError);
        assert.match(
          err.message,
          /broken\.study\.json: invalid study file\n {2}\$: not valid JSON at line 3, column 1/,
        );
        return true;
      },
    );
  });
});

describe('a study end to end (fake trainer)', () => {
  test('2 campaigns × 2 seeds: campaigns, evaluation, transfer and report.md with its sections', async () => {
    const out = join(root, 'whole');
    const plan = await planStudy(loadStudyFile(FIXTURE), FIXTURE, out);
    assert.deepEqual(
      plan.campaigns.map((c) => [c.id, c.config.name, c.dir]),
      [
        ['random-s0', 'tiny-random-s0', join(out, 'campaigns', 'random-s0')],
        ['random-s1', 'tiny-random-s1', join(out, 'campaigns', 'random-s1')],
        ['evolution-asha-s0', 'tiny-evolution-asha-s0', join(out, 'campaigns', 'evolution-asha-s0')],
        ['evolution-asha-s1', 'tiny-evolution-asha-s1', join(out, 'campaigns', 'evolution-asha-s1')],
      ],
    );
    // The baselines train once, beside the first campaign.
    assert.deepEqual(
      plan.campaigns.map((c) => c.config.baselines ?? []),
      [['fpn'], [], [], []],
    );
    const ran = await runStudyCampaigns(plan, { queue: queue() });
    assert.equal(ran.ran.length, 4);
    const ev = await evaluateStudy(plan, { train: fakeEvalTrainer });
    // Top 2 of each campaign over its seeds, plus fpn and pafpn, 2 seeds each.
    assert.equal(ev.rows.length, 6);
    assert.equal(ev.trained, 12);
    const json = JSON.parse(readFileSync(join(out, 'evaluation', 'evaluation.json'), 'utf8'));
    assert.equal(json.split, 'test');
    assert.equal(Object.values(json.request.campaigns).filter((c) => c === 'random').length, 2);
    const tr = await evaluateTransfer(plan, { train: fakeEvalTrainer });
    assert.equal(tr?.rows.length, 4);
    assert.equal(tr?.rows[0].proxyCost.imageSize, 32);
    const { markdown, files } = studyReport(plan, 'cmd');
    for (const heading of [
      '## 1. Best-so-far held-out AP',
      '## 2. Trials to reach random search’s best-of-N',
      '## 3. Final table on the test split',
      '## 4. Transfer',
      '## 5. Selection bias',
      '## 6. Cost ledger',
    ])
      assert.ok(markdown.includes(heading), heading);
    assert.doesNotMatch(markdown, /Pending/);
    assert.match(markdown, /\| random \| s0: \d+, s1: \d+ \|/);
    assert.match(markdown, /\| \*\*total \(search\)\*\* \| {2}\| 24 \| 30 \| 378 \|/);
    assert.match(markdown, /\nTest split: 8 images of shapes at 32 px, never read by a campaign; 18 training steps/);
    assert.match(markdown, /8 images of fashion-mnist-scenes/);
    // Both tables compare the held-out winner with each baseline; the transfer section checks the order.
    assert.match(markdown, /chosen on held-out reward \(`--export`\), \S+ \(\S+\), against each baseline: fpn: [+−]\d/);
    assert.match(
      markdown,
      /Order agreement: Spearman ρ = (-?\d\.\d\d|undefined) between test and transfer AP over the 4 graphs/,
    );
    assert.equal(readFileSync(files.report, 'utf8'), markdown);
    const svg = readFileSync(files.trials, 'utf8');
    assert.match(
      svg,
      /^<svg[^]*<polygon[^]*<polyline[^]*>random<[^]*>evolution-asha<[^]*stroke-dasharray[^]*>fpn<\/text>\n<\/svg>\n$/,
    );
    assert.doesNotMatch(svg, /<script/);
  });

  test('a study not run yet reports every section as pending', async () => {
    const plan = await planStudy(loadStudyFile(FIXTURE), FIXTURE, join(root, 'none'));
    const { markdown } = studyReport(plan, 'cmd');
    assert.match(markdown, /0\/4 campaign runs finished \(2 campaigns × seeds 0, 1\)\. Nothing has run yet/);
    assert.match(
      markdown,
      /\nProxy task: shapes at 32 px, 18 steps × 4 images, backbone `shapes-deep` \(pre-trained\)\.\n/,
    );
    assert.match(markdown, /## 3\. Final table on the test split\n\nPending/);
    assert.match(markdown, /## 4\. Transfer\n\nPending/);
  });
});

/** A journal's results in order: what a resume must reproduce (times and run ids aside). */
const results = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /"type":"(told|rung-told|promoted)"/.test(l))
    .map((l) => {
      const e = JSON.parse(l);
      return [e.type, e.index, e.rung, e.status, e.metrics?.AP, e.reward];
    });

describe('resuming a study', () => {
  test('stopped after its first campaign, it goes on without redoing it (its journal unchanged)', async () => {
    const out = join(root, 'stopped');
    const plan = await planStudy(loadStudyFile(FIXTURE), FIXTURE, out);
    await assert.rejects(
      runStudyCampaigns(plan, {
        queue: queue(),
        afterCampaign: () => {
          throw new Error('killed');
        },
      }),
      /killed/,
    );
    const journal = join(plan.campaigns[0].dir, 'journal.jsonl');
    const before = readFileSync(journal);
    const again = await runStudyCampaigns(plan, { queue: queue() });
    assert.deepEqual(again, {
      ran: ['random-s1', 'evolution-asha-s0', 'evolution-asha-s1'],
      resumed: [],
      skipped: ['random-s0'],
    });
    assert.ok(readFileSync(journal).equals(before));
    const third = await runStudyCampaigns(plan, { queue: queue() });
    assert.deepEqual(third.skipped.length, 4);
  });

  test('stopped in the middle of a campaign, it resumes that campaign to the same results', async () => {
    const whole = join(root, 'whole-ref');
    const refPlan = await planStudy(loadStudyFile(FIXTURE), FIXTURE, whole);
    await runStudyCampaigns(refPlan, { queue: queue() });
    const out = join(root, 'cut');
    cpSync(whole, out, { recursive: true });
    const plan = await planStudy(loadStudyFile(FIXTURE), FIXTURE, out);
    // The last campaign's journal as a crash left it: up to its fourth told trial.
    const journal = join(plan.campaigns[3].dir, 'journal.jsonl');
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    const cut = lines.findIndex(
      (l, i) => lines.slice(0, i + 1).filter((x) => x.includes('"type":"told"')).length === 4,
    );
    writeFileSync(journal, lines.slice(0, cut + 1).join('\n') + '\n');
    const full = results(join(refPlan.campaigns[3].dir, 'journal.jsonl'));
    assert.ok(results(journal).length < full.length);
    const r = await runStudyCampaigns(plan, { queue: queue() });
    assert.deepEqual(r.resumed, ['evolution-asha-s1']);
    assert.equal(r.skipped.length, 3);
    assert.deepEqual(results(journal), full);
  });

  test('a campaign folder started from another version of the study file is refused (exit 2)', async () => {
    const out = join(root, 'changed');
    const plan = await planStudy(loadStudyFile(FIXTURE), FIXTURE, out);
    await runStudyCampaigns(plan, { queue: queue() });
    const s = tiny() as Record<string, any>;
    s.campaigns[0].budget.trials = 7;
    const changed = await planStudy(parseStudy(s, 'changed.json'), 'changed.json', out);
    await assert.rejects(runStudyCampaigns(changed, { queue: queue() }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STUDY_CHANGED');
      assert.equal(exitCodeOf(err), 2);
      assert.match(err.message, /random-s0: this campaign was started with another configuration than changed\.json/);
      assert.match(err.message, /\(\$\.budget\.trials \(journal: 6, study file: 7\)\)/);
      return true;
    });
  });

  test('campaign journals made on another backbone are refused before anything runs; on their own, accepted', async () => {
    // A journal as one written before `backboneWeights` existed: its stored, resolved proxy task lacks the key,
    // so it reads as the backbone of that time, shapes-fpn. Only the campaign-started line: nothing trains.
    const pinned = (backboneWeights?: string) => {
      const s = tiny() as Record<string, any>;
      if (backboneWeights !== undefined) s.proxy.backboneWeights = backboneWeights;
      return parseStudy(s, `${backboneWeights ?? 'default'}.json`);
    };
    const out = join(root, 'old-backbone');
    const old = await planStudy(pinned('shapes-fpn'), 'shapes-fpn.json', out);
    for (const p of old.campaigns.slice(0, 2)) {
      const { backboneWeights, ...proxy } = p.config.proxy;
      assert.equal(backboneWeights, 'shapes-fpn');
      const started = {
        type: 'campaign-started',
        time: '2026-01-01T00:00:00.000Z',
        runId: 'r0',
        config: { ...p.config, proxy },
      };
      mkdirSync(p.dir, { recursive: true });
      writeFileSync(join(p.dir, 'journal.jsonl'), `${JSON.stringify(started)}\n`);
    }
    const journal = join(old.campaigns[0].dir, 'journal.jsonl');
    const before = readFileSync(journal);
    for (const [study, file] of [
      [pinned('shapes-deep'), 'shapes-deep.json'],
      [pinned(), 'default.json'],
    ] as const) {
      const plan = await planStudy(study, file, out);
      assert.equal(plan.campaigns[0].config.proxy.backboneWeights, 'shapes-deep');
      await assert.rejects(runStudyCampaigns(plan, { queue: queue() }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'STUDY_CHANGED');
        assert.equal(exitCodeOf(err), 2);
        assert.match(
          err.message,
          new RegExp(`random-s0: this campaign was started with another configuration than ${file}`),
        );
        assert.match(
          err.message,
          /\(\$\.proxy\.backboneWeights \(journal: "shapes-fpn", study file: "shapes-deep"\)\)/,
        );
        return true;
      });
    }
    assert.ok(readFileSync(journal).equals(before));
    assert.equal(existsSync(old.campaigns[2].dir), false);
    // The study file pinned to the journals' backbone passes the check and goes on to resume the first one.
    const lines: string[] = [];
    await assert.rejects(
      runStudyCampaigns(old, {
        queue: queue(),
        log: (line) => {
          lines.push(line);
          if (line.includes('resuming')) throw new Error('stop before resuming');
        },
      }),
      /stop before resuming/,
    );
    assert.match(lines[0], /^\[1\/4\] random-s0: resuming/);
  });
});
