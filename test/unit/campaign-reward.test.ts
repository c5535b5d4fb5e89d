// The reward is computed once, by the campaign: the controller is told the very reward the journal
// records, a resumed campaign replays the journaled reward, and a controller given a reward learns from
// it (driven on its own, it computes the same one from its objective options).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { computeReward, type Controller, createController, type Reward } from '../../controllers/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { runCampaign } from '../../src/campaign/campaign.js';
import { resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { type JournalEvent, readJournal, type ToldEvent } from '../../src/campaign/journal.js';
import { EmbeddedQueue } from '../../src/campaign/queue/embedded.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { createFakeTrainer } from '../../src/testing/fake-trainer.js';
import type { TrialOutcome } from '../../src/trial/types.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-reward-'));
after(() => rmSync(root, { recursive: true, force: true }));

const evolution = { kind: 'evolution', options: { populationSize: 3, sampleSize: 2 } };
const config = (controller: unknown): ResolvedCampaign =>
  resolveCampaign({
    name: 'rw',
    seed: 11,
    space: { name: 'nas-fpn' },
    controller,
    // A MACs target, so the reward is not the AP; failures get -0.5.
    objective: { macsTarget: 2e7, w: -0.3, rewardForInvalid: -0.5 },
    budget: { trials: 8 },
    concurrency: 2,
    snapshotEvery: 1000,
    retry: { attempts: 1, backoffMs: 1 },
  });

/** Runs the campaign with a controller whose tells are recorded: index → the reward it was given. */
async function run(cfg: ResolvedCampaign, dir: string, resume: boolean, told: Map<number, Reward | undefined>) {
  const space = campaignSpace(cfg);
  const queue = new EmbeddedQueue(inlineRunner(createFakeTrainer({ delayMs: [1, 8], nan: [3] })), {
    concurrency: 2,
    attempts: 1,
    backoffMs: 1,
  });
  const createController = async (): Promise<Controller> => {
    const c = await campaignController(cfg, space);
    const tell = c.tell.bind(c);
    c.tell = (index, outcome, reward) => {
      told.set(index, reward);
      return tell(index, outcome, reward);
    };
    return c;
  };
  try {
    return await runCampaign(cfg, { space, queue, createController }, { dir, resume });
  } finally {
    await queue.close();
  }
}

const toldEvents = (events: JournalEvent[]) => events.filter((e): e is ToldEvent => e.type === 'told');

describe('the campaign computes the reward once', () => {
  test('the controller is told the reward the journal records', async () => {
    const dir = join(root, 'live');
    const told = new Map<number, Reward | undefined>();
    await run(config(evolution), dir, false, told);
    const events = toldEvents(readJournal(join(dir, 'journal.jsonl')));
    assert.equal(events.length, 8);
    for (const ev of events) {
      assert.deepEqual(told.get(ev.index), { reward: ev.reward, valid: ev.status === 'complete' }, `trial ${ev.index}`);
    }
    assert.equal(events[3].reward, -0.5);
    assert.notEqual(events[0].reward, events[0].metrics!.AP, 'the MACs target shapes the reward');
  });

  test('a resumed campaign tells the controller the journaled reward', async () => {
    // Random search: its proposals do not depend on rewards, so an edited reward still replays.
    const cfg = config({ kind: 'random' });
    const full = join(root, 'full');
    await run(cfg, full, false, new Map());
    const lines = readFileSync(join(full, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    // Keep the journal up to trial 4's told event, with trial 1's reward edited: replay must tell that one.
    const cut = lines.findIndex((l) => {
      const e = JSON.parse(l) as JournalEvent;
      return e.type === 'told' && e.index === 4;
    });
    const kept = lines.slice(0, cut + 1).map((l) => {
      const e = JSON.parse(l) as JournalEvent;
      return e.type === 'told' && e.index === 1 ? JSON.stringify({ ...e, reward: 0.123 }) : l;
    });
    const dir = join(root, 'resumed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'journal.jsonl'), kept.join('\n') + '\n');
    writeFileSync(join(dir, 'campaign.json'), JSON.stringify(cfg));
    const told = new Map<number, Reward | undefined>();
    await run(cfg, dir, true, told);
    assert.equal(told.get(1)?.reward, 0.123, 'replayed with the journaled reward');
    assert.equal(told.get(1)?.valid, true);
    const journaled = toldEvents(readJournal(join(dir, 'journal.jsonl')));
    for (const ev of journaled) assert.equal(told.get(ev.index)?.reward, ev.reward, `trial ${ev.index}`);
  });
});

describe('a controller told a reward learns from it', () => {
  const space = getSpace('nas-fpn');
  const objective = { metric: 'AP' as const, macsTarget: 1e6, w: -0.07 };
  const outcome: TrialOutcome = {
    status: 'complete',
    metrics: {
      AP: 0.3,
      AP50: 0.3,
      AP75: 0.3,
      APs: 0,
      APm: 0,
      APl: 0,
      params: 1,
      macs: 2e6,
      trainSeconds: 0,
      evalSeconds: 0,
      backend: 'test',
    },
  };

  test("evolution, random and rl keep the given reward; without one they compute their objective's", async () => {
    const own = computeReward(outcome, objective, 0).reward;
    const given: Reward = { reward: 0.777, valid: true };
    for (const kind of ['evolution', 'random', 'rl']) {
      const rewards: number[] = [];
      for (const reward of [given, undefined]) {
        const c = await createController(kind, space, { objective, rewardForInvalid: 0 }, 5);
        const p = await c.ask();
        await c.tell(p.index, outcome, reward);
        const st = c.state() as Record<string, any>;
        rewards.push(
          kind === 'evolution' ? st.population[0].reward : kind === 'random' ? st.told.best : st.stats.baseline,
        );
        (c as { dispose?: () => void }).dispose?.();
      }
      // (rl's baseline is a moving average: equal to the first reward up to rounding)
      assert.ok(Math.abs(rewards[0] - 0.777) < 1e-12 && Math.abs(rewards[1] - own) < 1e-12, `${kind}: ${rewards}`);
    }
  });
});
