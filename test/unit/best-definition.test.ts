// One "best" everywhere: a campaign whose highest-reward trial is not its highest-AP trial (a MACs target
// makes a cheap, lower-AP graph win; a failed trial's rewardForInvalid is higher than every real reward;
// two trials tie on reward) is named the same by the campaign summary, the search summary line, status
// (text and --json), export, best.graph.json, pareto.json, the progress bar and the dashboard's state.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';

import { type CampaignEvent, type CampaignSummary, runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { readJournal } from '../../src/campaign/journal.js';
import { recordsFromJournal } from '../../src/campaign/journal-state.js';
import { barReporter } from '../../src/campaign/progress.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { bestTrial } from '../../src/campaign/records.js';
import { exportTop } from '../../src/cli/commands/export.js';
import { bestLine } from '../../src/cli/commands/search.js';
import { statusText } from '../../src/cli/commands/status.js';
// @ts-expect-error: a plain browser ES module without types
import { bestSoFar } from '../../src/dashboard/public/best.js';
import { CampaignState } from '../../src/dashboard/state.js';
import type { Trainer, TrialMetrics } from '../../src/trial/types.js';

// reward = AP · (MACs / 1e6)^-1. Trial 1 has the highest AP (0.5) but the lowest reward; trials 2 and 3
// tie at the highest reward (0.6; exact in binary: ×2 and ×4), so the lower index, 2, is best; trial 4
// fails and is told rewardForInvalid = 0.9, which must not make it best.
const PLAN: Array<{ AP: number; macs: number } | 'nan'> = [
  { AP: 0.25, macs: 1e6 }, // reward 0.25
  { AP: 0.5, macs: 4e6 }, //  reward 0.125, best AP
  { AP: 0.3, macs: 0.5e6 }, // reward 0.6, best
  { AP: 0.15, macs: 0.25e6 }, // reward 0.6, tie: later index
  'nan',
  { AP: 0.45, macs: 2e6 }, // reward 0.225
];
const NAME = 'bestdef';
const BEST = `${NAME}-2`;
const BEST_TEXT = 'best (reward 0.6000): AP 0.3000';

const planned: Trainer = async (_graph, _proxy, _hooks, job) => {
  const p = PLAN[job.index];
  if (p === 'nan') throw Object.assign(new Error('loss became NaN'), { code: 'NAN_LOSS' });
  const m: TrialMetrics = {
    AP: p.AP,
    AP50: p.AP,
    AP75: p.AP,
    APs: p.AP,
    APm: p.AP,
    APl: p.AP,
    params: 1000 + job.index,
    macs: p.macs,
    trainSeconds: 0,
    evalSeconds: 0,
    backend: 'test',
  };
  return m;
};

const root = mkdtempSync(join(tmpdir(), 'best-definition-'));
after(() => rmSync(root, { recursive: true, force: true }));
const dir = join(root, NAME);
const config = resolveCampaign({
  name: NAME,
  seed: 3,
  space: { name: 'nas-fpn', options: {} },
  controller: { kind: 'random', options: {} },
  objective: { macsTarget: 1e6, w: -1, rewardForInvalid: 0.9 },
  budget: { trials: PLAN.length },
  concurrency: 2,
  retry: { attempts: 1, backoffMs: 1 },
  output: dir,
});
const events: CampaignEvent[] = [];
let summary: CampaignSummary;

before(async () => {
  const space = campaignSpace(config);
  const queue = new EmbeddedQueue(inlineRunner(planned), {
    concurrency: config.concurrency,
    attempts: 1,
    backoffMs: 1,
  });
  try {
    summary = await runCampaign(
      config,
      { space, createController: () => campaignController(config, space), queue, onEvent: (ev) => events.push(ev) },
      { dir, resume: false },
    );
  } finally {
    await queue.close();
  }
});

describe('best: highest reward (ties: lowest index), the same everywhere', () => {
  test('the fixture: the best-reward trial is not the best-AP trial, and a failed trial has the highest reward', () => {
    const recs = summary.records;
    const topAP = recs.filter((r) => r.metrics).reduce((a, b) => (b.metrics!.AP > a.metrics!.AP ? b : a));
    assert.equal(topAP.trialId, `${NAME}-1`);
    assert.equal(recs[4].status, 'failed');
    assert.equal(recs[4].reward, 0.9);
    assert.equal(recs[2].reward, recs[3].reward, 'trials 2 and 3 tie');
  });

  test('campaign summary and its final stats', () => {
    assert.equal(summary.best?.trialId, BEST);
    assert.equal(summary.stats.bestTrial, BEST);
    assert.equal(summary.stats.bestReward, 0.6);
    assert.equal(summary.stats.bestAP, 0.3);
  });

  test('the search summary line', () => {
    const line = bestLine({ ...summary, config });
    assert.ok(line.startsWith(`${BEST_TEXT} — trial ${BEST},`), line);
  });

  test('status, text and --json', () => {
    const text = statusText(dir);
    assert.match(text, new RegExp(`^${BEST_TEXT.replace(/[()]/g, '\\$&')} — trial ${BEST}, hash [0-9a-f]{12}$`, 'm'));
    assert.doesNotMatch(text, /AP 0\.5000/, 'the highest AP is never called best');
    const r = spawnSync(process.execPath, ['bin/pyramid-nas.mjs', 'status', dir, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.best, BEST);
    assert.equal(j.bestReward, 0.6);
    assert.equal(j.bestAP, 0.3);
  });

  test('export, best.graph.json and pareto.json', () => {
    const out = join(root, 'export');
    const files = exportTop(dir, 3, 'json', out);
    assert.deepEqual(readdirSync(out).sort(), [
      `01-${BEST}.graph.json`,
      `02-${NAME}-3.graph.json`,
      `03-${NAME}-0.graph.json`,
    ]);
    const first = JSON.parse(readFileSync(files[0], 'utf8'));
    assert.equal(first.meta.trial, BEST);
    assert.equal(first.meta.reward, 0.6);
    assert.equal(first.meta.AP, 0.3);
    assert.equal(JSON.parse(readFileSync(join(dir, 'best.graph.json'), 'utf8')).meta.trial, BEST);
    assert.equal(JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8')).best, BEST);
  });

  test("the progress bar shows the best-reward trial's AP, labelled with its reward", () => {
    const chunks: string[] = [];
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
    stream.on('data', (d: Buffer) => chunks.push(d.toString()));
    const bar = barReporter(stream as unknown as NodeJS.WriteStream);
    for (const ev of events) bar.onEvent(ev);
    bar.stop();
    const text = chunks.join('');
    assert.ok(text.includes(`| ${BEST_TEXT} |`), text.slice(-400));
    assert.doesNotMatch(text, /AP 0\.5000/);
    // The ETA is the campaign's own (nothing told yet: unknown), not cli-progress's built-in {eta}.
    assert.match(text, /0\/6 trials \| running \d \| failed 0 \| best: none yet \| ETA -/);
  });

  test("the dashboard: header, and the page's best-so-far over the rows", () => {
    const journal = readJournal(join(dir, 'journal.jsonl'));
    const s = new CampaignState(NAME, dir);
    s.apply(journal);
    const h = s.header();
    assert.equal(h.bestTrial, BEST);
    assert.equal(h.bestReward, 0.6);
    assert.equal(h.bestAP, 0.3);
    assert.equal(bestTrial(recordsFromJournal(journal))?.trialId, BEST);
    const leaders = (bestSoFar as (rows: unknown[]) => Array<{ id: string } | undefined>)(s.allRows());
    assert.deepEqual(
      leaders.map((r) => r?.id),
      [`${NAME}-0`, `${NAME}-0`, BEST, BEST, BEST, BEST],
    );
  });
});
