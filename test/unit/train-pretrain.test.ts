// Backbone pre-training writes a checkpoint (atomically) that a fresh detector of the same architecture
// loads; every shipped checkpoint matches its variant's backbone.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';

import { initBackend } from '../../src/backend/index.js';
import { type Checkpoint, Detector, importCheckpoint, singleLevelGraph } from '../../src/detector/index.js';
import { parseGraph } from '../../src/graph/index.js';
import { BACKBONE_VARIANTS, DEFAULT_BACKBONE_VARIANT } from '../../src/train/backbone-weights.js';
import { pretrainBackbone } from '../../src/train/pretrain.js';

before(async () => {
  await initBackend();
});

test('pretrainBackbone writes a loadable backbone checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-pretrain-'));
  try {
    const r = parseGraph(JSON.parse(readFileSync('search-spaces/zoo/fpn.graph.json', 'utf8')));
    assert.ok(r.ok);
    const out = join(dir, 'w.json');
    const lines: string[] = [];
    await pretrainBackbone({
      graph: r.graph,
      task: { imageSize: 32, steps: 2, batchSize: 2, channels: 8, trainImages: 4, heldoutImages: 2 },
      out,
      log: (l) => lines.push(l),
    });
    assert.ok(existsSync(out));
    assert.deepEqual(readdirSync(dir), ['w.json'], 'no temp file left behind');
    const ckpt = JSON.parse(readFileSync(out, 'utf8')) as Checkpoint;
    assert.equal(ckpt.group, 'backbone');
    assert.equal((ckpt.meta.task as { backbone: string }).backbone, 'scratch');
    const det = new Detector({ ...singleLevelGraph(4), channels: 8 }, { inputSize: 32, numClasses: 6, seed: 9 });
    try {
      importCheckpoint(det.store, ckpt);
    } finally {
      det.dispose();
    }
    assert.match(lines.at(-1)!, /checkpoint at step 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every shipped checkpoint fits the backbone of its variant (levels 3–7)', () => {
  const shipped = Object.entries(BACKBONE_VARIANTS).filter(([, v]) => existsSync(v.file));
  assert.ok(shipped.some(([name]) => name === DEFAULT_BACKBONE_VARIANT) && shipped.some(([n]) => n === 'shapes-fpn'));
  for (const [, v] of shipped) {
    const ckpt = JSON.parse(readFileSync(v.file, 'utf8')) as Checkpoint;
    const det = new Detector(
      { ...singleLevelGraph(4), channels: 8 },
      { inputSize: 64, numClasses: 6, seed: 1, backboneBlocks: v.blocks },
    );
    try {
      importCheckpoint(det.store, ckpt, v.file);
    } finally {
      det.dispose();
    }
  }
});
