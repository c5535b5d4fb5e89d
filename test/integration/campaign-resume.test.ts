// Kill the campaign process at a random point and resume it (embedded pool, deterministic fake trainer):
// the journal's proposals and results are exactly those of an uninterrupted run with the same seed, for
// the random and the evolution controllers. The kill point is random; it is printed so a failure can be
// replayed (PYRAMID_NAS_KILL_AT=k).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { resolveCampaign } from '../../src/campaign/config.js';
import { runCampaign } from '../../src/campaign/campaign.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { readJournal } from '../../src/campaign/journal.js';
import { createFakeTrainer, type FakeSpec } from '../../workers/fake-trainer.js';
import { cli, countTold, journalEssence, killGroup, waitFor } from './campaign-helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TRIALS = 10;
const spec: FakeSpec = { delayMs: [50, 250], nan: [4] };

describe('kill the campaign process, resume (embedded)', () => {
  for (const kind of ['random', 'evolution'] as const) {
    test(`${kind}: the resumed journal equals the uninterrupted one`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'pnas-resume-'));
      dirs.push(root);
      const input = {
        name: `resume-${kind}`, seed: 42, space: { name: 'nas-fpn' },
        controller: { kind, options: kind === 'evolution' ? { populationSize: 4, sampleSize: 2 } : {} },
        budget: { trials: TRIALS }, concurrency: 2, snapshotEvery: 4, retry: { attempts: 2, backoffMs: 10 },
      };
      // Reference: uninterrupted, in-process.
      const cfg = resolveCampaign({ ...input, output: join(root, 'ref') });
      const space = campaignSpace(cfg);
      const q = new EmbeddedQueue(inlineRunner(createFakeTrainer(spec)), { concurrency: 2, attempts: 2, backoffMs: 10 });
      await runCampaign(cfg, { space, createController: () => campaignController(cfg, space), queue: q }, { dir: cfg.output, resume: false });
      await q.close();

      const dir = join(root, 'run');
      const file = join(root, 'campaign.json');
      writeFileSync(file, JSON.stringify({ ...input, output: dir }));
      const env = { PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify(spec) };
      const k = Number(process.env.PYRAMID_NAS_KILL_AT ?? 1 + Math.floor(Math.random() * (TRIALS - 2)));
      const first = cli(['search', file, '--json'], env);
      await waitFor(`${k} told events`, () => countTold(join(dir, 'journal.jsonl')) >= k || first.child.exitCode !== null, 60_000, 10);
      await killGroup(first.child, 'SIGKILL'); // the campaign and its pool children
      const toldAtKill = countTold(join(dir, 'journal.jsonl'));
      const second = cli(['search', '--resume', dir, '--json'], env);
      const code = await second.exited;
      assert.equal(code, 0, `resume failed (kill at k=${k}, ${toldAtKill} told): ${second.stderr()}`);
      assert.deepEqual(journalEssence(dir), journalEssence(cfg.output), `kill at k=${k} (${toldAtKill} told) — replay with PYRAMID_NAS_KILL_AT=${k}`);
      const events = readJournal(join(dir, 'journal.jsonl'));
      assert.equal(events.filter((e) => e.type === 'campaign-resumed').length, 1);
      assert.equal(events.filter((e) => e.type === 'told').length, TRIALS);
    });
  }
});
