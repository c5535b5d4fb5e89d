// Backbone variants: stages with several residual blocks, the registry of pre-trained variants and which
// checkpoint each loads, and how tasks stored before `backboneWeights` existed resolve.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { initBackend } from '../../src/backend/index.js';
import { readCampaignDir } from '../../src/campaign/dir.js';
import { type Checkpoint, Detector, importCheckpoint, singleLevelGraph } from '../../src/detector/index.js';
import { parseGraph } from '../../src/graph/index.js';
import { BACKBONE_VARIANTS, backboneVariant, DEFAULT_BACKBONE_VARIANT } from '../../src/train/backbone-weights.js';
import { trainAndEvaluate, TrainError } from '../../src/train/index.js';
import { resolveProxyTask, storedProxyTask } from '../../src/trial/proxy-task.js';

before(async () => {
  await initBackend();
});

const backboneParams = (det: Detector) =>
  det.store.trainable.filter((e) => e.group === 'backbone').reduce((n, e) => n + e.variable.size, 0);
const labels = (det: Detector) => det.store.trainable.filter((e) => e.group === 'backbone').map((e) => e.label);

describe('backbone stages with several blocks', () => {
  test('extra blocks are stride 1 with an identity skip, and add exactly their convs and BNs', () => {
    const g = { ...singleLevelGraph(4), channels: 8 };
    const plain = new Detector(g, { inputSize: 32, numClasses: 3, seed: 1 });
    const deep = new Detector(g, { inputSize: 32, numClasses: 3, seed: 1, backboneBlocks: { 4: 3, 5: 2 } });
    try {
      // Extra blocks: two 3×3 convs (no bias) with BN (γ, β) each; C4 is 64 wide, C5 128.
      const block = (c: number) => 2 * (9 * c * c + 2 * c);
      assert.equal(backboneParams(deep) - backboneParams(plain), 2 * block(64) + block(128));
      const extra = labels(deep).filter((l) => !labels(plain).includes(l));
      assert.ok(extra.some((l) => l.includes('c4/1/a')) && extra.some((l) => l.includes('c4/2/b')));
      assert.ok(!extra.some((l) => l.includes('skip')), `no projection skip in the extra blocks: ${extra.join(' ')}`);
      // The first block of each stage keeps the single-block names, so the original checkpoint still loads.
      assert.ok(labels(plain).every((l) => labels(deep).includes(l)));
    } finally {
      plain.dispose();
      deep.dispose();
    }
  });
});

describe('pre-trained backbone variants', () => {
  // That every shipped checkpoint loads into its variant's backbone is train-pretrain.test.ts's.
  test('a task without backboneWeights uses the default variant, whose checkpoint names its provenance', () => {
    assert.equal(resolveProxyTask({}).backboneWeights, DEFAULT_BACKBONE_VARIANT);
    const v = backboneVariant(undefined);
    const ckpt = JSON.parse(readFileSync(v.file, 'utf8')) as Checkpoint;
    assert.equal((ckpt.meta.task as { backboneWeights?: string }).backboneWeights, v.name, 'provenance names it');
  });

  test('a checkpoint of another architecture is refused, naming the missing tensor', () => {
    const ckpt = JSON.parse(readFileSync(BACKBONE_VARIANTS['shapes-fpn'].file, 'utf8')) as Checkpoint;
    const det = new Detector(
      { ...singleLevelGraph(4), channels: 8 },
      { inputSize: 64, numClasses: 6, seed: 1, backboneBlocks: BACKBONE_VARIANTS['shapes-deep'].blocks },
    );
    try {
      assert.throws(() => importCheckpoint(det.store, ckpt, 'w.json'), /w\.json: has no .*c4\/1/);
    } finally {
      det.dispose();
    }
  });

  test('a variant whose checkpoint is not shipped fails with NO_BACKBONE_WEIGHTS and how to make it', async () => {
    const r = parseGraph(JSON.parse(readFileSync('search-spaces/zoo/fpn.graph.json', 'utf8')));
    assert.ok(r.ok);
    await assert.rejects(
      trainAndEvaluate(r.graph, {
        backboneWeights: 'shapes-deep-c5',
        steps: 1,
        batchSize: 2,
        trainImages: 4,
        heldoutImages: 2,
        imageSize: 32,
        channels: 8,
      }),
      (e: unknown) =>
        e instanceof TrainError &&
        e.code === 'NO_BACKBONE_WEIGHTS' &&
        /pretrain:backbone -- --backbone shapes-deep-c5/.test(e.message),
    );
  });

  test('an unknown variant is a proxy-task error at its JSON path', () => {
    assert.throws(() => resolveProxyTask({ backboneWeights: 'imagenet' } as never), /\$\.backboneWeights/);
  });
});

describe('tasks stored before backboneWeights existed', () => {
  test('storedProxyTask fills shapes-fpn only where the key is absent', () => {
    assert.equal(resolveProxyTask(storedProxyTask({ steps: 5 })).backboneWeights, 'shapes-fpn');
    assert.equal(resolveProxyTask(storedProxyTask({ backboneWeights: 'shapes-deep' })).backboneWeights, 'shapes-deep');
    assert.equal(storedProxyTask(undefined), undefined);
  });

  test('a campaign journal written before the key resumes on shapes-fpn', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-legacy-'));
    try {
      const out = join(dir, 'c');
      mkdirSync(out);
      const config = {
        name: 'legacy',
        seed: 0,
        space: { name: 'nas-fpn', options: { cells: 2, levels: { min: 3, max: 5 } } },
        controller: { kind: 'random', options: {} },
        proxy: { ...resolveProxyTask({ steps: 3 }), backboneWeights: undefined },
        budget: { trials: 1 },
        output: out,
      };
      const started = { type: 'campaign-started', time: new Date(0).toISOString(), runId: 'abc', config };
      writeFileSync(join(out, 'journal.jsonl'), `${JSON.stringify(started)}\n`);
      assert.equal(readCampaignDir(out).config.proxy.backboneWeights, 'shapes-fpn');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
