// `evaluate` without training: a stand-in trainer shows what is trained, with which scoring options, what is
// skipped on a rerun, what survives a crash, and what the summary and the level checks say.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  baselineEntry,
  type EvalEntry,
  type EvalTrainer,
  evaluationTable,
  evaluationTask,
  graphEntries,
  heldoutApOf,
  meanSd,
  mergeEntries,
  readJournal,
  requireLevels,
  runEvaluation,
} from '../../src/evaluate/index.js';
import { graphHash } from '../../src/graph/index.js';
import type { PyramidGraph } from '../../src/graph/types.js';
import type { TrialMetrics } from '../../src/trial/types.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pyramid-nas-evaluate-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const metricsFor = (ap: number): TrialMetrics => ({
  AP: ap,
  AP50: ap + 0.1,
  AP75: ap,
  APs: ap,
  APm: ap,
  APl: -1,
  params: 1,
  macs: 1,
  trainSeconds: 1,
  evalSeconds: 0,
  backend: 'fake',
});

/** A trainer whose AP is a function of (graph name, seed), recording every call. */
function fakeTrainer(calls: Array<{ name: string; seed: number; scoring: unknown; steps: number }>, failAt = -1) {
  const train: EvalTrainer = async (graph, proxy, _hooks, scoring) => {
    if (calls.length === failAt) throw new Error('killed');
    calls.push({ name: graph.name, seed: scoring.firstRun, scoring, steps: proxy.steps });
    return metricsFor(0.3 + 0.01 * scoring.firstRun + (graph.name === 'fpn' ? 0.05 : 0));
  };
  return train;
}

async function entries(): Promise<EvalEntry[]> {
  const graphs = await graphEntries(['fpn'], process.cwd());
  const pafpn = await baselineEntry('pafpn', graphs[0].graph.levels, graphs[0].graph.channels, process.cwd());
  return mergeEntries(graphs, [pafpn]).entries;
}

const task = (budget = 1) =>
  evaluationTask({ base: { steps: 10, heldoutImages: 16 }, budget, seeds: 2, testImages: 8 });

const plan = async (out: string, budget = 1) => ({
  entries: await entries(),
  task: task(budget),
  full: { channels: 256, imageSize: 640 },
  out,
  title: 'test',
  request: {},
});

describe('evaluate: run, journal, resume', () => {
  test('every (graph, seed) is trained once, on the test split, with its seed as the first run', async () => {
    const out = join(root, 'plain');
    const calls: Parameters<typeof fakeTrainer>[0] = [];
    const r = await runEvaluation(await plan(out), fakeTrainer(calls));
    assert.deepEqual(
      calls.map((c) => [c.name, c.seed]),
      [
        ['fpn', 0],
        ['fpn', 1],
        ['pafpn', 0],
        ['pafpn', 1],
      ],
    );
    for (const c of calls) {
      assert.deepEqual(c.scoring, { split: 'test', testImages: 8, firstRun: c.seed });
      assert.equal(c.steps, 10);
    }
    assert.equal(r.trained, 4);
    const json = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8'));
    assert.equal(json.format, 'pyramid-nas-evaluation/1');
    assert.equal(json.split, 'test');
    assert.equal(json.complete, true);
    const fpn = json.entries.find((e: { name: string }) => e.name === 'fpn');
    assert.deepEqual(fpn.AP.values, [0.35, 0.36]);
    assert.equal(fpn.APl, null); // COCO's −1 (no large objects): undefined, not a number
    assert.equal(fpn.fullWidthCost.channels, 256);
    assert.equal(fpn.proxyCost.channels, 32);
    assert.match(readFileSync(join(out, 'evaluation.svg'), 'utf8'), /^<svg[^]*fpn[^]*pafpn[^]*<\/svg>\n$/);
    const table = evaluationTable(r.rows, task());
    assert.match(table, /^graph +seeds +AP \(test\)/);
    assert.match(table, /\nfpn +2\/2 +35\.5 ± 0\.7 /);
  });

  test('a rerun trains nothing; a stop mid-way resumes with only the missing trainings', async () => {
    const out = join(root, 'resume');
    const first: Parameters<typeof fakeTrainer>[0] = [];
    // The third training dies (a crash or Ctrl-C): two records are journaled.
    await assert.rejects(runEvaluation(await plan(out), fakeTrainer(first, 2)), /killed/);
    assert.equal(readJournal(join(out, 'evaluation.jsonl')).length, 2);
    const json = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8'));
    assert.equal(json.complete, false);
    const second: Parameters<typeof fakeTrainer>[0] = [];
    const r = await runEvaluation(await plan(out), fakeTrainer(second));
    assert.deepEqual(
      second.map((c) => [c.name, c.seed]),
      [
        ['pafpn', 0],
        ['pafpn', 1],
      ],
    );
    assert.deepEqual([r.trained, r.skipped], [2, 2]);
    const third: Parameters<typeof fakeTrainer>[0] = [];
    assert.deepEqual((await runEvaluation(await plan(out), fakeTrainer(third))).skipped, 4);
    assert.equal(third.length, 0);
    // Another budget is another task: nothing of the first is reused, and the first stays in the journal.
    const other: Parameters<typeof fakeTrainer>[0] = [];
    await runEvaluation(await plan(out, 2), fakeTrainer(other));
    assert.deepEqual(
      other.map((c) => c.steps),
      [20, 20, 20, 20],
    );
    assert.equal(readJournal(join(out, 'evaluation.jsonl')).length, 8);
  });

  test('a line torn by a crash is redone; a bad line elsewhere is an error naming file and line', async () => {
    const out = join(root, 'torn');
    await runEvaluation(await plan(out), fakeTrainer([]));
    const file = join(out, 'evaluation.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n${lines[3].slice(0, 25)}`);
    const calls: Parameters<typeof fakeTrainer>[0] = [];
    await runEvaluation(await plan(out), fakeTrainer(calls));
    assert.deepEqual(
      calls.map((c) => [c.name, c.seed]),
      [['pafpn', 1]],
    );
    assert.equal(readJournal(file).length, 4);
    appendFileSync(file, 'not json\n{"hash": "x"}\n');
    await assert.rejects(runEvaluation(await plan(out), fakeTrainer([])), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'BAD_EVALUATION_JOURNAL');
      assert.match(err.message, /evaluation\.jsonl: line 5 is not an evaluation record/);
      return true;
    });
  });
});

describe('evaluate: entries and numbers', () => {
  test('graphs must cover the task levels exactly; baselines are projected onto them', async () => {
    const [fpn] = await graphEntries(['fpn'], process.cwd());
    assert.throws(
      () => requireLevels(fpn.graph, { min: 3, max: 5 }, 'x.graph.json'),
      /x\.graph\.json: graph "fpn" covers P3–P7, but this evaluation's task predicts on P3–P5/,
    );
    const b = await baselineEntry('zoo:bifpn', { min: 3, max: 5 }, 64, process.cwd());
    assert.deepEqual([b.graph.levels, b.graph.channels, b.name], [{ min: 3, max: 5 }, 64, 'bifpn']);
    const s = await baselineEntry('single-level-c4', { min: 3, max: 5 }, 64, process.cwd());
    assert.equal(s.graph.nodes.length, 3);
    await assert.rejects(
      baselineEntry('single-level-c6', { min: 3, max: 5 }, 64, process.cwd()),
      /C6 is outside P3–P5/,
    );
    await assert.rejects(baselineEntry('fpn', { min: 2, max: 5 }, 64, process.cwd()), /--baselines fpn: .*P2–P5/);
    await assert.rejects(baselineEntry('no-such-graph', { min: 3, max: 5 }, 64, process.cwd()), /no zoo graph/);
    const second = await graphEntries(['fpn'], process.cwd(), { min: 3, max: 7 });
    assert.equal(second[0].hash, fpn.hash);
  });

  test('a baseline equal to a listed graph is evaluated once; names stay unique', async () => {
    const [fpn] = await graphEntries(['fpn'], process.cwd());
    const same = await baselineEntry('fpn', fpn.graph.levels, fpn.graph.channels, process.cwd());
    const renamed: EvalEntry = { ...fpn, hash: 'other' };
    const r = mergeEntries([fpn], [same, renamed]);
    assert.deepEqual(r.dropped, ['fpn']);
    assert.deepEqual(
      r.entries.map((e) => e.name),
      ['fpn', 'fpn#2'],
    );
  });

  test('held-out AP: from a campaign export’s meta; held-out minus test in the summary', async () => {
    const g: PyramidGraph = {
      ...(await graphEntries(['fpn'], process.cwd()))[0].graph,
      meta: { trial: 'c-3', AP: 0.41, heldoutAP: 0.4 },
    };
    assert.equal(heldoutApOf(g), 0.4);
    assert.equal(heldoutApOf({ ...g, meta: { trial: 'c-3', AP: 0.41 } }), 0.41);
    assert.equal(heldoutApOf({ ...g, meta: { AP: 0.41 } }), undefined);
    const out = join(root, 'bias');
    const entry: EvalEntry = { name: 'c-3', role: 'trial', source: 'x', graph: g, hash: graphHash(g), heldoutAP: 0.4 };
    const r = await runEvaluation(
      { ...(await plan(out)), entries: [entry] },
      fakeTrainer([]), // the graph is FPN's: AP 0.35, 0.36
    );
    assert.ok(Math.abs(r.rows[0].heldoutMinusTest! - 0.045) < 1e-12, String(r.rows[0].heldoutMinusTest));
  });

  test('mean ± sd (n − 1); one value has no sd', () => {
    assert.deepEqual(meanSd([1, 3]), { mean: 2, sd: Math.SQRT2, values: [1, 3] });
    assert.ok(Number.isNaN(meanSd([1]).sd));
  });
});
