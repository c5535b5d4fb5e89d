// Cost figures carry the shape they were measured at. Trials train the proxy's version of a graph (32
// channels, repeats capped at 2, 64 px) while the graph itself is wider and deeper (128 channels, 3
// repeats here): exported graphs must not carry the proxy's MACs/params bare. Their meta has proxyCost
// (what the trial measured, labelled) and fullWidthCost (the cost model at the graph's own width), both
// equal to src/graph/cost.ts's figures; status, trials.csv, pareto.json and the dashboard name the shape; a graph file
// written by an older version (bare MACs/params) comes out of export labelled.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { type CampaignSummary, runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign } from '../../src/campaign/config.js';
import { proxyCost } from '../../src/campaign/costs.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { readJournal } from '../../src/campaign/journal.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { exportTop } from '../../src/cli/commands/export.js';
import { statusText } from '../../src/cli/commands/status.js';
import { CampaignState } from '../../src/dashboard/state.js';
import { graphCost } from '../../src/graph/cost.js';
import type { PyramidGraph } from '../../src/graph/types.js';
import type { Trainer, TrialMetrics } from '../../src/trial/types.js';

/** The graph as the proxy trains it (the trainer's rule: the proxy's width, repeats capped). */
const asProxy = (g: PyramidGraph, p: { channels?: number; maxRepeats?: number }): PyramidGraph => ({
  ...g,
  channels: p.channels!,
  repeats: Math.min(g.repeats, p.maxRepeats!),
});

// Reports costs the way the real trainer does: the cost model on the proxy's graph, and the shape trained.
const costModelTrainer: Trainer = async (graph, proxy, _hooks, job) => {
  const g = asProxy(graph, proxy);
  const c = graphCost(g, { inputSize: proxy.imageSize });
  const AP = 0.1 + 0.01 * job.index;
  const m: TrialMetrics = {
    AP,
    AP50: AP,
    AP75: AP,
    APs: AP,
    APm: AP,
    APl: AP,
    params: c.params,
    macs: c.macs,
    trainSeconds: 0,
    evalSeconds: 0,
    backend: 'test',
    channels: g.channels,
    repeats: g.repeats,
    imageSize: proxy.imageSize,
  };
  return m;
};

const root = mkdtempSync(join(tmpdir(), 'cost-labels-'));
after(() => rmSync(root, { recursive: true, force: true }));
const dir = join(root, 'costs');
const config = resolveCampaign({
  name: 'costs',
  seed: 4,
  space: { name: 'nas-fpn', options: { channels: 128, repeats: 3 } },
  controller: { kind: 'random', options: {} },
  proxy: { imageSize: 64, channels: 32, maxRepeats: 2 },
  budget: { trials: 4 },
  concurrency: 2,
  output: dir,
});
let summary: CampaignSummary;

before(async () => {
  const space = campaignSpace(config);
  const queue = new EmbeddedQueue(inlineRunner(costModelTrainer), { concurrency: 2, attempts: 1, backoffMs: 1 });
  try {
    summary = await runCampaign(
      config,
      { space, createController: () => campaignController(config, space), queue },
      { dir, resume: false },
    );
  } finally {
    await queue.close();
  }
});

/** What meta must say for a graph of this campaign, by the cost model. */
function expected(graph: PyramidGraph) {
  const proxy = graphCost(asProxy(graph, config.proxy), { inputSize: 64 });
  const full = graphCost(graph, { inputSize: 64 });
  return {
    proxyCost: {
      scope: 'neck',
      channels: 32,
      repeats: 2,
      repeatsCap: 2,
      imageSize: 64,
      macs: proxy.macs,
      params: proxy.params,
    },
    fullWidthCost: { scope: 'neck', channels: 128, repeats: 3, imageSize: 64, macs: full.macs, params: full.params },
  };
}

function assertLabelled(file: string): void {
  const g = JSON.parse(readFileSync(file, 'utf8')) as PyramidGraph & { meta: Record<string, unknown> };
  assert.equal(g.channels, 128, `${file}: the graph keeps its own width`);
  const want = expected(g);
  assert.deepEqual(g.meta.proxyCost, want.proxyCost, `${file}: proxyCost`);
  assert.deepEqual(g.meta.fullWidthCost, want.fullWidthCost, `${file}: fullWidthCost`);
  assert.ok(want.fullWidthCost.macs > want.proxyCost.macs, "the fixture's two figures differ");
  assert.equal('MACs' in g.meta, false, `${file}: no bare MACs`);
  assert.equal('params' in g.meta, false, `${file}: no bare params`);
}

describe('labelled cost figures', () => {
  test('graphs/*.graph.json and best.graph.json carry proxyCost and fullWidthCost as the cost model computes them', () => {
    assert.equal(summary.stats.told, 4);
    const files = readdirSync(join(dir, 'graphs'));
    assert.equal(files.length, 4);
    for (const f of files) assertLabelled(join(dir, 'graphs', f));
    assertLabelled(join(dir, 'best.graph.json'));
  });

  test('export writes the same labelled meta', () => {
    for (const f of exportTop(dir, 4, 'json', join(root, 'export'))) assertLabelled(f);
  });

  test('a graph file from an older version (bare proxy MACs/params) is exported labelled', () => {
    const best = summary.best!;
    const file = join(dir, 'graphs', `${best.trialId}.graph.json`);
    const g = JSON.parse(readFileSync(file, 'utf8'));
    const { proxyCost: _p, fullWidthCost: _f, ...oldMeta } = g.meta;
    writeFileSync(
      file,
      JSON.stringify({ ...g, meta: { ...oldMeta, MACs: best.metrics!.macs, params: best.metrics!.params } }),
    );
    const [out] = exportTop(dir, 1, 'json', join(root, 'export-old'));
    assertLabelled(out);
  });

  test("results journaled without the trained shape fall back to the campaign's proxy config", () => {
    const r = summary.best!;
    const { channels: _c, repeats: _r, imageSize: _i, ...older } = r.metrics!;
    const c = proxyCost(config.proxy, r.graph!, older as TrialMetrics);
    assert.deepEqual(c, expected(r.graph!).proxyCost);
  });

  test('status, trials.csv, pareto.json and the dashboard name the shape of the figures they show', () => {
    const text = statusText(dir);
    assert.match(text, /proxy MMACs\s+proxy params/);
    assert.match(text, /^costs: neck at the proxy's width: 32 channels, repeats capped at 2, 64×64 input/m);
    const [head, ...lines] = readFileSync(join(dir, 'trials.csv'), 'utf8').trim().split('\n');
    const cols = head.split(',');
    assert.equal(cols.includes('macs') || cols.includes('params'), false, 'no unlabelled cost columns');
    for (const line of lines) {
      const cell = (k: string) => line.split(',')[cols.indexOf(k)];
      const g = JSON.parse(readFileSync(join(dir, 'graphs', `${cell('trialId')}.graph.json`), 'utf8'));
      const want = expected(g).proxyCost;
      assert.deepEqual(
        ['proxyMacs', 'proxyParams', 'proxyChannels', 'proxyRepeats', 'proxyImageSize'].map((k) => Number(cell(k))),
        [want.macs, want.params, want.channels, want.repeats, want.imageSize],
      );
    }
    const pareto = JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8'));
    assert.deepEqual(pareto.costs, { scope: 'neck', channels: 32, repeatsCap: 2, imageSize: 64 });
    const s = new CampaignState('costs', dir);
    s.apply(readJournal(join(dir, 'journal.jsonl')));
    const h = s.header();
    assert.deepEqual(h.costs, {
      scope: 'neck',
      channels: 32,
      repeatsCap: 2,
      imageSize: 64,
      label: "neck at the proxy's width: 32 channels, repeats capped at 2, 64×64 input",
    });
  });
});
