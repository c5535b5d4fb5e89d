// Every zoo graph builds, yields P<min>..P<max> at the right sides, and the built neck's trainable
// parameters and counted MACs equal the graph cost model exactly.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../../src/backend/index.js';
import { Detector, levelSize, singleLevelGraph } from '../../src/detector/index.js';
import { graphCost, parseGraph, PROXY_BACKBONE_CHANNELS } from '../../src/graph/index.js';
import type { PyramidGraph } from '../../src/graph/types.js';

const ZOO = 'search-spaces/zoo';

function zoo(): Array<[string, PyramidGraph]> {
  return readdirSync(ZOO)
    .filter((f) => f.endsWith('.graph.json'))
    .sort()
    .map((f) => {
      const r = parseGraph(JSON.parse(readFileSync(join(ZOO, f), 'utf8')));
      if (!r.ok) throw new Error(`${f}: ${JSON.stringify(r.errors)}`);
      return [f, r.graph];
    });
}

before(async () => {
  await initBackend('cpu');
});

describe('zoo graphs in the detector', () => {
  const graphs = zoo();
  test('the zoo is there', () => assert.ok(graphs.length >= 5, `only ${graphs.length} zoo graphs`));
  const S = 72; // sides 9, 5, 3, 2, 1 (odd sizes exercise the upsample crop)
  for (const [file, original] of [...graphs, ['single-level-c4', singleLevelGraph(4)] as [string, PyramidGraph]]) {
    test(`${file}: output sides, params = graphCost.params, MACs = graphCost.macs`, () => {
      const graph = { ...original, channels: 8 };
      const det = new Detector(graph, { inputSize: S, numClasses: 3, seed: 1 });
      try {
        const cost = graphCost(graph, { inputSize: S, backboneChannels: PROXY_BACKBONE_CHANNELS });
        assert.equal(det.params('neck'), cost.params);
        assert.equal(det.countMacs().neck, cost.macs);
        tf.tidy(() => {
          const images = tf.randomUniform([2, S, S, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
          const out = det.pyramid(images, { training: false });
          for (let l = graph.levels.min; l <= graph.levels.max; l++) {
            assert.deepEqual(out.get(l)!.shape, [2, levelSize(S, l), levelSize(S, l), 8], `P${l}`);
          }
          const head = det.forward(images, { training: false });
          assert.deepEqual(head.cls.shape, [2, det.anchors.count, 3]);
          assert.deepEqual(head.box.shape, [2, det.anchors.count, 4]);
        });
      } finally {
        det.dispose();
      }
    });
  }
});
