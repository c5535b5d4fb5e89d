// Run identity: every fresh campaign journals a run id, --resume keeps it (journals without one get a
// stable derived id), every job carries run id + graph hash + proxy hash, the processor checks and echoes
// them, and the campaign tells a result that does not match what it asked as a RESULT_MISMATCH failure
// (never as metrics).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import fc from 'fast-check';

import { createRng } from '../../controllers/rng.js';
import { getSpace } from '../../search-spaces/index.js';
import { runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { type CampaignStartedEvent, readJournal } from '../../src/campaign/journal.js';
import { bullmqJobId } from '../../src/campaign/queue/bullmq.js';
import type { TrialQueue } from '../../src/campaign/queue/types.js';
import { graphHash } from '../../src/graph/index.js';
import { createFakeTrainer, fakeMetrics } from '../../src/testing/fake-trainer.js';
import { identityMismatch, proxyHash } from '../../src/trial/identity.js';
import { DEFAULT_PROXY_TASK } from '../../src/trial/proxy-task.js';
import type { TrialJob, TrialResult } from '../../src/trial/types.js';
import { InvalidTrialError, processTrial, validateTrialJob } from '../../workers/trial-processor.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pnas-runid-'));
  dirs.push(d);
  return d;
}

const RUN_ID = /^[0-9a-f]{12}$/;
const space = getSpace('nas-fpn', {});
const graph = space.decode(space.sample(createRng(3)));
const proxy = { ...DEFAULT_PROXY_TASK };

function config(name = 'ident', seed = 7, trials = 4): ResolvedCampaign {
  return resolveCampaign({
    name,
    seed,
    space: { name: 'nas-fpn' },
    controller: { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } },
    budget: { trials },
    concurrency: 2,
    snapshotEvery: 3,
    retry: { attempts: 1, backoffMs: 1 },
  });
}

/**
 * A queue that answers each job at once with the fake trainer's metrics, echoing the job's identity, except
 * where `tamper` rewrites the answer (what a stale or foreign result looks like). Records what it is asked.
 */
class ScriptedQueue implements TrialQueue {
  readonly kind = 'embedded' as const;
  readonly submitted: TrialJob[] = [];
  readonly forgotten: string[] = [];
  // Every listener hears every result, as with the real queues (the loop and the baselines each listen).
  private readonly listeners: ((r: TrialResult) => void)[] = [];
  constructor(private readonly tamper: (job: TrialJob, r: TrialResult) => TrialResult = (_j, r) => r) {}
  get inFlight(): number {
    return 0;
  }
  async submit(job: TrialJob): Promise<void> {
    this.submitted.push(job);
    const r: TrialResult = {
      trialId: job.trialId,
      status: 'complete',
      metrics: fakeMetrics(job.graph, job.proxy.seed),
      wallSeconds: 0.01,
      runId: job.runId,
      graphHash: job.graphHash,
      proxyHash: job.proxyHash,
    };
    const told = this.tamper(job, r);
    setImmediate(() => this.listeners.forEach((l) => l(told)));
  }
  async reattach(jobs: TrialJob[]): Promise<void> {
    for (const j of jobs) await this.submit(j);
  }
  forget(job: TrialJob): void {
    this.forgotten.push(job.trialId);
  }
  onResult(l: (r: TrialResult) => void): void {
    this.listeners.push(l);
  }
  onProgress(): void {}
  async close(): Promise<void> {}
}

async function runWith(cfg: ResolvedCampaign, queue: TrialQueue, dir: string, resume = false) {
  const s = campaignSpace(cfg);
  return runCampaign(cfg, { space: s, createController: () => campaignController(cfg, s), queue }, { dir, resume });
}

function started(dir: string): CampaignStartedEvent {
  return readJournal(join(dir, 'journal.jsonl'))[0] as CampaignStartedEvent;
}

/** Keeps the journal up to and including the first told event (a campaign killed there). */
function cutAfterFirstTold(dir: string): void {
  const file = join(dir, 'journal.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const k = lines.findIndex((l) => l.includes('"type":"told"'));
  writeFileSync(file, lines.slice(0, k + 1).join('\n') + '\n');
}

describe('run identity', () => {
  test('a fresh campaign journals a run id; each job carries it with the graph and proxy hashes; told jobs are forgotten', async () => {
    const cfg = config();
    const dir = join(tmp(), 'run');
    const q = new ScriptedQueue();
    const s = await runWith(cfg, q, dir);
    assert.equal(s.stats.complete, 4);
    const runId = started(dir).runId!;
    assert.match(runId, RUN_ID);
    for (const job of q.submitted) {
      assert.equal(job.runId, runId);
      assert.equal(job.graphHash, graphHash(job.graph));
      assert.equal(job.proxyHash, proxyHash(cfg.proxy));
    }
    assert.deepEqual(q.forgotten.sort(), q.submitted.map((j) => j.trialId).sort());
    // Two runs of the same campaign (same name and seed) still get different ids.
    const dir2 = join(tmp(), 'run');
    await runWith(cfg, new ScriptedQueue(), dir2);
    assert.notEqual(started(dir2).runId, runId);
  });

  test('--resume keeps the journaled run id, and forgets trials told before the crash', async () => {
    const cfg = config();
    const dir = join(tmp(), 'run');
    await runWith(cfg, new ScriptedQueue(), dir);
    const runId = started(dir).runId!;
    cutAfterFirstTold(dir);
    const q = new ScriptedQueue();
    await runWith(cfg, q, dir, true);
    assert.ok(q.submitted.length > 0);
    for (const job of q.submitted) assert.equal(job.runId, runId);
    assert.ok(q.forgotten.includes(`${cfg.name}-0`), 'the trial told before the crash is forgotten on resume');
  });

  test('a journal from before run ids resumes with a derived id, the same on every resume', async () => {
    const cfg = config();
    const dir = join(tmp(), 'run');
    await runWith(cfg, new ScriptedQueue(), dir);
    const file = join(dir, 'journal.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const { runId: _drop, ...old } = JSON.parse(lines[0]) as CampaignStartedEvent;
    writeFileSync(file, [JSON.stringify(old), ...lines.slice(1)].join('\n'));
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      cutAfterFirstTold(dir);
      const q = new ScriptedQueue();
      await runWith(cfg, q, dir, true);
      const seen = new Set(q.submitted.map((j) => j.runId));
      assert.equal(seen.size, 1);
      ids.push([...seen][0]!);
    }
    assert.match(ids[0], RUN_ID);
    assert.equal(ids[1], ids[0]);
  });

  test('a malformed journaled run id is a journal error naming the line', async () => {
    const cfg = config();
    const dir = join(tmp(), 'run');
    await runWith(cfg, new ScriptedQueue(), dir);
    const file = join(dir, 'journal.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[0] = JSON.stringify({ ...JSON.parse(lines[0]), runId: 'not-hex' });
    writeFileSync(file, lines.join('\n'));
    cutAfterFirstTold(dir);
    await assert.rejects(
      runWith(cfg, new ScriptedQueue(), dir, true),
      /journal\.jsonl:1: \$\.runId must be 12 hex digits/,
    );
  });

  test('a result from another run, for another graph or proxy, or without identity is told failed RESULT_MISMATCH, never with metrics', async () => {
    const cfg = config('ident', 7, 5);
    const dir = join(tmp(), 'run');
    const q = new ScriptedQueue((job, r) => {
      if (job.index === 0) return { ...r, runId: 'ffffffffffff' }; // left in Redis by an earlier run
      if (job.index === 1) return { ...r, graphHash: 'a'.repeat(64) }; // trained on another graph
      if (job.index === 2) return { ...r, proxyHash: 'b'.repeat(64) }; // under another proxy task
      if (job.index === 3) return { trialId: r.trialId, status: 'complete', metrics: r.metrics, wallSeconds: 1 }; // no identity at all
      return r;
    });
    const s = await runWith(cfg, q, dir);
    const told = readJournal(join(dir, 'journal.jsonl')).filter((e) => e.type === 'told');
    assert.equal(told.length, 5);
    for (const [i, field] of [
      [0, 'runId ffffffffffff'],
      [1, 'graphHash aaaaaaaaaaaa'],
      [2, 'proxyHash bbbbbbbbbbbb'],
      [3, 'no runId'],
    ] as const) {
      const ev = told[i] as { status: string; metrics?: unknown; error?: string };
      assert.equal(ev.status, 'failed', `trial ${i}`);
      assert.equal(ev.metrics, undefined, `trial ${i} has no metrics`);
      assert.match(ev.error!, new RegExp(`^RESULT_MISMATCH: .*${field}`), `trial ${i}: ${ev.error}`);
    }
    assert.equal((told[4] as { status: string }).status, 'complete');
    assert.equal(s.best?.index, 4, 'only the matching result can be the best');
  });

  test('identityMismatch: a failure reported without identity is accepted; any identity carried must match', () => {
    const want = { trialId: 'c-1', runId: '0123456789ab', graphHash: 'c'.repeat(64), proxyHash: 'd'.repeat(64) };
    assert.equal(
      identityMismatch(want, { trialId: 'c-1', status: 'failed', error: 'x (after 3 attempts)', wallSeconds: 0 }),
      undefined,
    );
    assert.match(
      identityMismatch(want, { trialId: 'c-1', status: 'invalid', error: 'x', wallSeconds: 0, runId: 'ffffffffffff' })!,
      /runId ffffffffffff \(expected 0123456789ab\)/,
    );
    assert.match(
      identityMismatch(want, { trialId: 'c-2', status: 'failed', wallSeconds: 0 })!,
      /for trial c-2, not c-1/,
    );
    assert.equal(
      identityMismatch(want, {
        trialId: 'c-1',
        status: 'complete',
        wallSeconds: 0,
        metrics: fakeMetrics(graph, 1),
        runId: want.runId,
        graphHash: want.graphHash,
        proxyHash: want.proxyHash,
      }),
      undefined,
    );
  });

  test('the BullMQ job id carries the run id (no ":", which BullMQ refuses)', () => {
    assert.equal(bullmqJobId({ trialId: 'c-3', runId: '0123456789ab' }), 'c-3.0123456789ab');
    assert.equal(bullmqJobId({ trialId: 'c-3' }), 'c-3');
  });
});

describe('processor identity checks', () => {
  const job = (over: Partial<TrialJob> = {}): TrialJob => ({
    campaign: 'c',
    trialId: 'c-4',
    index: 4,
    graph,
    proxy,
    runId: '0123456789ab',
    graphHash: graphHash(graph),
    proxyHash: proxyHash(proxy),
    ...over,
  });

  test("the result echoes the job's run id and hashes", async () => {
    const r = await processTrial(job(), { trainer: createFakeTrainer() });
    assert.equal(r.status, 'complete');
    assert.deepEqual([r.runId, r.graphHash, r.proxyHash], [job().runId, job().graphHash, job().proxyHash]);
  });

  test('hashes that do not describe the payload make the job invalid, with the JSON path', () => {
    const invalid = (data: unknown, re: RegExp) =>
      assert.throws(
        () => validateTrialJob(data),
        (e: unknown) => e instanceof InvalidTrialError && re.test(e.message),
      );
    invalid(
      job({ graphHash: 'a'.repeat(64) }),
      /^invalid trial job: \$\.graphHash: aaaaaaaaaaaa is not the hash of \$\.graph/,
    );
    invalid(
      job({ proxyHash: 'b'.repeat(64) }),
      /^invalid trial job: \$\.proxyHash: bbbbbbbbbbbb is not the hash of \$\.proxy/,
    );
    invalid(job({ proxy: { ...proxy, seed: proxy.seed + 1 } }), /\$\.proxyHash/);
    invalid(job({ runId: 'XYZ' }), /\$\.runId/);
  });

  test('property: the proxy hash ignores key order and sees every value change', () => {
    const keys = Object.keys(proxy) as Array<keyof typeof proxy>;
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    try {
      fc.assert(
        fc.property(
          fc.shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length }),
          fc.constantFrom(...keys.filter((k) => typeof proxy[k] === 'number')),
          (order, k) => {
            const reordered = Object.fromEntries(order.map((key) => [key, proxy[key]]));
            assert.equal(proxyHash(reordered), proxyHash(proxy));
            assert.notEqual(proxyHash({ ...proxy, [k]: (proxy[k] as number) + 1 }), proxyHash(proxy));
          },
        ),
        { seed, numRuns: 100 },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n(replay with FC_SEED=${seed})`, { cause: err });
    }
  });
});
