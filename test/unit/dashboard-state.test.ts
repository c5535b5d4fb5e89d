// The dashboard's fold of a journal, checked against the campaign's own reader (recordsFromJournal,
// ranked) on a synthetic campaign, plus the header's budget arithmetic and the trial-graph lookup.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { getSpace } from '../../search-spaces/index.js';
import { ranked, readJournal, recordsFromJournal } from '../../src/campaign/index.js';
import { CampaignState, eta } from '../../src/dashboard/state.js';
import { labelledDecisions, loadTrialGraph, SpaceCache, TrialGraphError } from '../../src/dashboard/trial-graph.js';
import { writeSyntheticCampaign } from '../../src/testing/synthetic-campaign.js';

const root = mkdtempSync(join(tmpdir(), 'dash-state-'));
after(() => rmSync(root, { recursive: true, force: true }));
const dir = join(root, 'demo');
const { config, trials } = writeSyntheticCampaign(dir, {
  name: 'demo',
  trials: 40,
  running: 3,
  failRate: 0.2,
  seed: 5,
  writer: 'bulk',
});
const events = readJournal(join(dir, 'journal.jsonl'));

describe('CampaignState', () => {
  test("rows and header agree with the campaign's own reading of the journal", () => {
    const s = new CampaignState('demo', dir);
    // Applied in uneven batches, as a tail delivers them.
    for (let k = 0; k < events.length; k += 7) s.apply(events.slice(k, k + 7));
    const records = recordsFromJournal(events);
    const rows = s.allRows();
    assert.equal(rows.length, records.length);
    for (const [k, r] of records.entries()) {
      assert.equal(rows[k].id, r.trialId);
      assert.equal(rows[k].st, r.status ?? 'running');
      assert.equal(rows[k].AP, r.metrics?.AP);
      assert.equal(rows[k].macs, r.metrics?.macs);
      assert.equal(rows[k].worker, r.worker);
    }
    const h = s.header();
    const told = records.filter((r) => r.status);
    assert.equal(h.told, told.length);
    assert.equal(h.running, records.length - told.length);
    assert.equal(h.running, 3);
    assert.equal(h.failed, told.filter((r) => r.status === 'failed').length);
    assert.ok(h.failed > 0, 'the fixture has failures');
    assert.equal(h.controller, config.controller.kind);
    assert.equal(h.space, 'nas-fpn');
    assert.deepEqual(h.budget, { trials: 43 });
    // The header's best is the campaign's top-ranked trial (by reward), with that trial's AP.
    assert.equal(h.bestTrial, ranked(records)[0].trialId);
    assert.equal(h.bestReward, ranked(records)[0].reward);
    assert.equal(h.bestAP, ranked(records)[0].metrics!.AP);
    assert.ok(h.eta !== undefined && h.eta > 0);
    assert.deepEqual(h.problems, []);
  });

  test('apply returns only the rows that changed, and a told row is never downgraded by a repeated ask', () => {
    const s = new CampaignState('demo', dir);
    s.apply(events);
    const t = trials[0];
    const changed = s.apply([{ type: 'asked', index: 0, trialId: t.trialId, decisions: t.decisions, hash: t.hash }]);
    assert.deepEqual(changed, []);
    assert.notEqual(s.rows.get(0)!.st, 'running');
    const told = s.apply([
      {
        type: 'told',
        index: 41,
        trialId: 'demo-41',
        status: 'invalid',
        error: 'x'.repeat(500),
        reward: 0,
        elapsed: 1e6,
      },
    ]);
    assert.equal(told.length, 1);
    assert.equal(told[0].st, 'invalid');
    assert.ok(told[0].err!.length <= 201, 'long errors are cut for the table');
    assert.equal(s.findTrial('demo-41')!.told!.error!.length, 500, 'the detail keeps the whole error');
  });

  test('a bad config is a visible problem, not a crash; finished campaigns have no ETA left', () => {
    const s = new CampaignState('bad', dir);
    s.apply([
      {
        type: 'campaign-started',
        time: 't',
        config: { name: 'bad', space: { name: 'nas-fpn' }, controller: { kind: 'random' }, budget: {} },
      },
    ]);
    const h = s.header();
    assert.equal(h.controller, 'random');
    assert.equal(h.problems.length, 1);
    assert.match(h.problems[0], /budget/);
    s.apply([{ type: 'campaign-finished', time: 't2', reason: 'trials', asked: 0, told: 0 }]);
    assert.equal(s.header().eta, 0);
  });
});

describe('eta', () => {
  test('trial budget at the pace so far, wall budget, the sooner of both', () => {
    assert.equal(eta({ trials: 100 }, 25, 50), 150);
    assert.equal(eta({ wallSeconds: 600 }, 25, 50), 550);
    assert.equal(eta({ trials: 100, wallSeconds: 100 }, 25, 50), 50);
    assert.equal(eta({ trials: 100 }, 0, 0), undefined);
    assert.equal(eta({ trials: 10 }, 12, 50), 0);
  });
});

describe('trial graphs', () => {
  const spaces = new SpaceCache();
  test('the graph file when there is one, else decoded from the decisions through the space', () => {
    const told = loadTrialGraph(dir, 'demo-0', trials[0].decisions, config, spaces);
    assert.equal(told.source, 'file');
    assert.equal(told.graph.name, 'demo-0');
    const running = loadTrialGraph(dir, 'demo-41', trials[41].decisions, config, spaces);
    assert.equal(running.source, 'decoded');
    assert.deepEqual(running.graph.nodes, getSpace('nas-fpn').decode(trials[41].decisions).nodes);
  });

  test('an invalid graph file falls back to decoding and says why; ids that are not trial ids never reach the disk', () => {
    writeFileSync(join(dir, 'graphs', 'demo-1.graph.json'), JSON.stringify({ format: 'pyramid-graph/1', nodes: 'no' }));
    const g = loadTrialGraph(dir, 'demo-1', trials[1].decisions, config, spaces);
    assert.equal(g.source, 'decoded');
    assert.match(g.note!, /demo-1\.graph\.json/);
    assert.throws(() => loadTrialGraph(dir, '../demo-0', [], config, spaces), TrialGraphError);
    assert.throws(() => loadTrialGraph(dir, 'demo-999', [1, 2], config, spaces), /cannot decode/);
  });

  test("decisions are labelled with the space's slot names", () => {
    const labels = labelledDecisions(config, trials[0].decisions, spaces);
    const vocab = getSpace('nas-fpn').vocabulary;
    assert.equal(labels.length, vocab.length);
    assert.equal(labels[0].slot, vocab[0].name);
    assert.equal(labels[0].label, vocab[0].labels[trials[0].decisions[0]]);
  });
});
