// For random valid graphs (src/testing arbGraph: any levels 1..9, every op, dead nodes, repeats, feedback),
// the built neck has exactly graphCost's parameters and MACs, and yields P<min>..P<max> at ⌈S/2^l⌉. Each run builds
// and runs a network, so 150 runs rather than 1000 (fast-check prints the seed on failure).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';

import { initBackend } from '../../src/backend/index.js';
import { Detector, levelSize } from '../../src/detector/index.js';
import { graphCost, PROXY_BACKBONE_CHANNELS } from '../../src/graph/index.js';
import { arbGraph } from '../../src/testing/index.js';

before(async () => {
  await initBackend('cpu');
});

test('random graphs: built params and MACs = graphCost, output sides = ⌈S/2^l⌉', () => {
  fc.assert(
    fc.property(
      arbGraph({ maxChannels: 6, maxRepeats: 3, maxNodes: 8, withMeta: false }),
      fc.integer({ min: 9, max: 70 }),
      (graph, S) => {
        // The whole detector, so graphs with feedback run their later backbone passes too.
        const detector = new Detector(graph, { inputSize: S, numClasses: 2, seed: 1 });
        try {
          tf.tidy(() => {
            const images = tf.randomUniform([1, S, S, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
            const out = detector.pyramid(images, { training: true });
            for (let l = graph.levels.min; l <= graph.levels.max; l++) {
              const s = levelSize(S, l);
              assert.deepEqual(out.get(l)!.shape, [1, s, s, graph.channels], `P${l}`);
            }
          });
          const cost = graphCost(graph, { inputSize: S, backboneChannels: PROXY_BACKBONE_CHANNELS });
          assert.equal(detector.params('neck'), cost.params);
          assert.equal(detector.countMacs().neck, cost.macs);
        } finally {
          detector.dispose();
        }
      },
    ),
    { numRuns: 150 },
  );
});
