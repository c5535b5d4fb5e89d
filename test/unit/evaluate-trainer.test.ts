// The trainer options `evaluate` relies on, with real (tiny) trainings: seed k of an evaluation is exactly
// run k of a multi-run trial (same data, that run's weights and order), the test split is scored only when
// asked for, and a test split with no images is a clear error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { parseGraph } from '../../src/graph/index.js';
import type { PyramidGraph } from '../../src/graph/types.js';
import { trainAndEvaluate } from '../../src/train/index.js';

function fpn(): PyramidGraph {
  const r = parseGraph(JSON.parse(readFileSync('search-spaces/zoo/fpn.graph.json', 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.graph;
}

const tiny = {
  imageSize: 32,
  channels: 8,
  batchSize: 4,
  trainImages: 8,
  heldoutImages: 8,
  steps: 12,
  warmupSteps: 0,
};

describe('trainAndEvaluate scoring options', () => {
  test('firstRun k trains what run k of a multi-run trial trains', async () => {
    const perRun: number[] = [];
    const losses: number[][] = [[], []];
    await trainAndEvaluate(
      fpn(),
      { ...tiny, runs: 2 },
      {
        onRunEnd: (_, s) => perRun.push(s.AP50),
        onProgress: (p) => losses[p.step <= tiny.steps ? 0 : 1].push(p.loss),
      },
    );
    const second: number[] = [];
    const m = await trainAndEvaluate(
      fpn(),
      tiny,
      { onProgress: (p) => second.push(p.loss) },
      { split: 'heldout', firstRun: 1 },
    );
    assert.deepEqual(second, losses[1]);
    assert.notDeepEqual(losses[0], losses[1]);
    assert.equal(m.AP50, perRun[1]);
  });

  test('the test split is scored only when asked for, and must hold images', async () => {
    const heldout = await trainAndEvaluate(fpn(), tiny, {}, { split: 'heldout' });
    const plain = await trainAndEvaluate(fpn(), tiny);
    const onTest = await trainAndEvaluate(fpn(), tiny, {}, { split: 'test', testImages: 8 });
    assert.equal(plain.AP50, heldout.AP50);
    // Same training (same seed and data), other images scored: the metrics differ.
    assert.notDeepEqual([onTest.AP, onTest.AP50, onTest.APs], [heldout.AP, heldout.AP50, heldout.APs]);
    await assert.rejects(
      trainAndEvaluate(fpn(), tiny, {}, { split: 'test' }),
      (err: Error & { code?: string }) => err.code === 'EMPTY_DATASET' && /has no test images/.test(err.message),
    );
  });
});
