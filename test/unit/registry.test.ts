// The registry pattern: unknown names list the known ones, options are validated with paths, names are
// unique; and a third-party search space and controller plug in the way the built-ins do, down to a
// campaign run from a campaign file (embedded queue, inline runner, fake trainer).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { z } from 'zod';

import {
  type Controller,
  controllers,
  type ControllerState,
  createController,
  objectiveSchema,
  type Proposal,
} from '../../controllers/index.js';
import { getSpace, NasFpnSpace, type SearchSpace, SPACE_NAMES, spaces } from '../../search-spaces/index.js';
import { runCampaign } from '../../src/campaign/campaign.js';
import { CampaignConfigError, resolveCampaign, type ResolvedCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { readJournal } from '../../src/campaign/journal.js';
import { createQueue } from '../../src/campaign/queue/create.js';
import { inlineRunner } from '../../src/campaign/queue/inline-runner.js';
import { queues } from '../../src/campaign/queue/registry.js';
import { createShapesDataset, DatasetError, datasets, loadDataset } from '../../src/data/index.js';
import { graphHash } from '../../src/graph/index.js';
import { createFakeTrainer } from '../../src/testing/fake-trainer.js';
import { OptionsError } from '../../src/util/options.js';
import { Registry, UnknownNameError } from '../../src/util/registry.js';
import { loadTrainer, trainers } from '../../workers/trainers.js';

describe('Registry', () => {
  const things = () =>
    new Registry<{ size: number }, { scale: number }>({ what: 'thing', nameKey: 'kind' }).register('box', {
      description: 'a box',
      optionsSchema: z.strictObject({ size: z.int().min(1).default(2) }),
      create: (o, ctx) => ({ size: o.size * ctx.scale }),
    });

  test('creates from validated options, defaults filled', () => {
    assert.deepEqual(things().create('box', undefined, { scale: 3 }), { size: 6 });
    assert.deepEqual(things().parse('box', { size: 5 }), { size: 5 });
    assert.deepEqual(things().list(), [{ name: 'box', description: 'a box' }]);
  });

  test('an unknown name lists the known ones, at the name key', () => {
    assert.throws(
      () => things().create('crate', {}, { scale: 1 }),
      (err: unknown) =>
        err instanceof UnknownNameError &&
        err instanceof OptionsError &&
        err.unknownName === 'crate' &&
        err.issues[0].path === 'kind' &&
        err.issues[0].message === 'unknown thing "crate" (known: box)',
    );
  });

  test('bad options name each path (unknown keys too)', () => {
    assert.throws(
      () => things().create('box', { size: 0, colour: 'red' }, { scale: 1 }),
      (err: unknown) =>
        err instanceof OptionsError &&
        /^invalid box thing options: /.test(err.message) &&
        err.issues.some((i) => i.path === 'size') &&
        err.issues.some((i) => i.path === 'colour' && i.message === 'unknown key'),
    );
  });

  test('names are unique and well-formed; entries are complete', () => {
    assert.throws(
      () =>
        things().register('box', { description: '', optionsSchema: z.strictObject({}), create: () => ({ size: 1 }) }),
      /thing "box" is already registered/,
    );
    assert.throws(
      () =>
        things().register('my box', {
          description: '',
          optionsSchema: z.strictObject({}),
          create: () => ({ size: 1 }),
        }),
      /thing name "my box": use 1-64 letters/,
    );
    assert.throws(
      () => things().register('bag', { description: 'x', optionsSchema: z.strictObject({}) } as never),
      /needs description .* optionsSchema .* and create/,
    );
  });

  test('mapError gives each part its own error type', () => {
    const r = new Registry<number>({ what: 'gadget', mapError: (e) => new RangeError(e.message) });
    assert.throws(
      () => r.create('x', {}),
      (err: unknown) => err instanceof RangeError && /unknown gadget "x" \(known: \)/.test(err.message),
    );
  });
});

describe('the built-in registries keep their messages', () => {
  test('spaces and controllers', async () => {
    assert.deepEqual([...SPACE_NAMES].sort(), ['bifpn-cells', 'nas-fpn']);
    assert.throws(() => getSpace('darts'), /unknown space "darts" \(known: nas-fpn, bifpn-cells\)/);
    assert.throws(() => getSpace('nas-fpn', { cells: 0 }), /^OptionsError: invalid nas-fpn options: cells:/);
    await assert.rejects(
      createController('bayes', getSpace('nas-fpn'), {}, 1),
      /unknown controller "bayes" \(known: random, evolution, pareto-evolution, rl\)/,
    );
    await assert.rejects(
      createController('random', getSpace('nas-fpn'), { maxRetrys: 1 }, 1),
      /invalid random controller options: maxRetrys: unknown key/,
    );
  });

  test('queues', async () => {
    assert.deepEqual(queues.names(), ['embedded', 'bullmq']);
    assert.throws(() => queues.create('bullmq', { campaign: 'c' }, {}), /the bullmq queue needs a Redis connection/);
    assert.throws(
      () => queues.create('embedded', { concurrency: 0 }, {}),
      (err: unknown) => err instanceof OptionsError && err.issues[0].path === 'concurrency',
    );
    assert.throws(() => queues.create('kafka', {}, {}), /unknown queue "kafka" \(known: embedded, bullmq\)/);
    const q = queues.create('embedded', { concurrency: 1 }, { runner: inlineRunner(createFakeTrainer({})) });
    assert.equal(q.kind, 'embedded');
    await q.close();
  });

  test('trainers: PYRAMID_NAS_TRAINER picks one, an unknown one says which exist', async () => {
    assert.deepEqual(trainers.names(), ['tfjs', 'fake', 'noop']);
    await assert.rejects(
      loadTrainer({ PYRAMID_NAS_TRAINER: 'torch' }),
      /^Error: PYRAMID_NAS_TRAINER must be tfjs, fake or noop \(got "torch"\)$/,
    );
    assert.equal(
      typeof (await loadTrainer({ PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: '{"delayMs":1}' })),
      'function',
    );
  });

  test('datasets: DatasetErrors, the unknown name first', async () => {
    assert.deepEqual(datasets.names(), ['shapes', 'fashion-mnist-scenes', 'coco']);
    const base = { imageSize: 32, trainImages: 1, heldoutImages: 1, seed: 0 };
    await assert.rejects(
      loadDataset({ ...base, dataset: 'mnist', imageSize: 3 }),
      (err: unknown) =>
        err instanceof DatasetError &&
        err.message === 'unknown dataset "mnist" (expected one of shapes, fashion-mnist-scenes, coco)',
    );
    await assert.rejects(
      loadDataset({ ...base, dataset: 'coco', dataDir: 5 as never }),
      (err: unknown) =>
        err instanceof DatasetError && err.code === 'BAD_OPTION' && /^dataset option dataDir: /.test(err.message),
    );
  });
});

describe('a third-party dataset', () => {
  test('registers and loads by name, with the shared options checked', async () => {
    datasets.register('tiny-shapes', {
      description: 'shapes at a fixed size',
      optionsSchema: z.looseObject({ seed: z.int() }),
      create: async (o) => createShapesDataset({ imageSize: 16, trainImages: 2, heldoutImages: 1, seed: o.seed }),
    });
    const ds = await loadDataset({ dataset: 'tiny-shapes', imageSize: 16, trainImages: 2, heldoutImages: 1, seed: 3 });
    assert.equal(ds.split('train').count, 2);
    await assert.rejects(
      loadDataset({ dataset: 'tiny-shapes', imageSize: 3, trainImages: 2, heldoutImages: 1, seed: 3 }),
      /imageSize/,
    );
  });
});

// A third-party space: NAS-FPN cells on two levels, with its own name and option range.
const chainOptions = z.strictObject({ cells: z.int().min(2).max(4).default(3) });
function chainSpace(o: z.output<typeof chainOptions>): SearchSpace {
  const inner = new NasFpnSpace({ cells: o.cells, levels: { min: 3, max: 4 } });
  return {
    name: 'tiny-chain',
    options: o,
    decisionCount: inner.decisionCount,
    vocabulary: inner.vocabulary,
    sample: (rng) => inner.sample(rng),
    decode: (d) => inner.decode(d),
    encode: (g) => inner.encode(g),
    mutate: (d, rng) => inner.mutate(d, rng),
    size: () => inner.size(),
    validate: (d) => inner.validate(d),
  };
}

// A third-party controller: every point in order (the first decision varies fastest), duplicates skipped.
// The campaign passes its objective and rewardForInvalid in the options, so the schema takes them.
const sweepOptions = z.strictObject({
  start: z.int().min(0).default(0),
  objective: objectiveSchema.optional(),
  rewardForInvalid: z.number().optional(),
});
class SweepController implements Controller {
  readonly kind = 'sweep';
  private next: number;
  private asked = 0;
  private readonly seen = new Set<string>();
  readonly told: number[] = [];
  constructor(
    private readonly space: SearchSpace,
    o: z.output<typeof sweepOptions>,
  ) {
    this.next = o.start;
  }
  async ask(): Promise<Proposal> {
    for (;;) {
      let n = this.next++;
      const decisions = this.space.vocabulary.map((slot) => {
        const t = n % slot.size;
        n = Math.floor(n / slot.size);
        return t;
      });
      const graph = this.space.decode(decisions);
      const hash = graphHash(graph);
      if (this.seen.has(hash)) continue;
      this.seen.add(hash);
      return { index: this.asked++, decisions, graph, hash };
    }
  }
  async tell(index: number): Promise<void> {
    this.told.push(index);
  }
  state(): ControllerState {
    return { kind: this.kind, version: 1, next: this.next, asked: this.asked, seen: [...this.seen], told: this.told };
  }
  load(s: ControllerState): void {
    this.next = s.next as number;
    this.asked = s.asked as number;
    for (const h of s.seen as string[]) this.seen.add(h);
  }
}

describe('a third-party space and controller', () => {
  before(() => {
    spaces.register('tiny-chain', {
      description: 'NAS-FPN cells on P3-P4',
      optionsSchema: chainOptions,
      create: chainSpace,
    });
    controllers.register('sweep', {
      description: 'every point in order',
      optionsSchema: sweepOptions,
      create: (o, { space }) => new SweepController(space, o),
    });
  });

  const campaign = (over: Record<string, unknown> = {}): ResolvedCampaign =>
    resolveCampaign({
      name: 'plugin',
      seed: 1,
      space: { name: 'tiny-chain', options: { cells: 2 } },
      controller: { kind: 'sweep', options: { start: 4 } },
      budget: { trials: 5 },
      concurrency: 2,
      retry: { attempts: 1, backoffMs: 0 },
      ...over,
    });

  test('are listed and built like the built-ins', async () => {
    assert.deepEqual(spaces.names(), ['nas-fpn', 'bifpn-cells', 'tiny-chain']);
    assert.deepEqual(getSpace('tiny-chain').options, { cells: 3 });
    const c = await createController('sweep', getSpace('tiny-chain'), {}, 0);
    assert.equal(c.kind, 'sweep');
  });

  test('campaign files name them, with errors at campaign JSON paths', async () => {
    const bad = (over: Record<string, unknown>) => {
      try {
        const c = campaign(over);
        campaignSpace(c);
        return [];
      } catch (err) {
        assert.ok(err instanceof CampaignConfigError, String(err));
        return err.issues;
      }
    };
    assert.deepEqual(
      bad({ space: { name: 'tiny-chain', options: { cells: 5, x: 1 } } })
        .map((i) => i.path)
        .sort(),
      ['$.space.options.cells', '$.space.options.x'],
    );
    assert.deepEqual(bad({ space: { name: 'tiny-chian' } }), [
      { path: '$.space.name', message: 'unknown space "tiny-chian" (known: nas-fpn, bifpn-cells, tiny-chain)' },
    ]);
    assert.deepEqual(bad({ controller: { kind: 'swep' } }), [
      {
        path: '$.controller.kind',
        message: 'unknown controller "swep" (known: random, evolution, pareto-evolution, rl, sweep)',
      },
    ]);
    const c = campaign({ controller: { kind: 'sweep', options: { start: -1 } } });
    await assert.rejects(
      campaignController(c, campaignSpace(c)),
      (err: unknown) =>
        err instanceof CampaignConfigError &&
        err.issues.length === 1 &&
        err.issues[0].path === '$.controller.options.start',
    );
  });

  test('run a campaign on the embedded queue (inline runner, fake trainer)', async () => {
    const cfg = campaign();
    const dir = mkdtempSync(join(tmpdir(), 'pnas-plugin-'));
    const space = campaignSpace(cfg);
    let controller: SweepController | undefined;
    const { queue, close } = await createQueue(cfg, { runner: inlineRunner(createFakeTrainer({ delayMs: [1, 5] })) });
    try {
      const summary = await runCampaign(
        cfg,
        {
          space,
          createController: async () => (controller = (await campaignController(cfg, space)) as SweepController),
          queue,
        },
        { dir, resume: false },
      );
      assert.equal(summary.reason, 'trials');
      assert.equal(summary.stats.told, 5);
      assert.deepEqual([...controller!.told].sort(), [0, 1, 2, 3, 4]);
    } finally {
      await close();
    }
    const journal = readJournal(join(dir, 'journal.jsonl'));
    const asked = journal.filter((e) => e.type === 'asked') as Array<{ decisions: number[]; hash: string }>;
    assert.equal(new Set(asked.map((a) => a.hash)).size, 5);
    for (const a of asked) space.validate(a.decisions);
    const saved = JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8'));
    assert.deepEqual([saved.space.name, saved.controller.kind], ['tiny-chain', 'sweep']);
  });
});
