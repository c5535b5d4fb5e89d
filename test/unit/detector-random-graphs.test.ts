// For random valid graphs (src/testing arbGraph: any levels 1..9, every op, dead nodes, repeats), the built
// neck has exactly graphCost's parameters and MACs, and yields P<min>..P<max> at ⌈S/2^l⌉. Each run builds
// and runs a network, so 150 runs rather than 1000 (fast-check prints the seed on failure).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';

import { initBackend } from '../../src/backend/index.js';
import { buildPyramid, levelSize, ParamStore } from '../../src/detector/index.js';
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
        const store = new ParamStore(1);
        try {
          const neck = buildPyramid(graph, { store, inputSize: S, backboneChannels: PROXY_BACKBONE_CHANNELS });
          const macs = { backbone: 0, neck: 0, head: 0 };
          tf.tidy(() => {
            const feats = new Map<number, tf.Tensor4D>();
            for (let l = graph.levels.min; l <= graph.levels.max; l++) {
              const s = levelSize(S, l);
              feats.set(l, tf.randomUniform([1, s, s, PROXY_BACKBONE_CHANNELS[l]], -1, 1, 'float32', l) as tf.Tensor4D);
            }
            const out = neck(feats, { training: true, macs });
            for (let l = graph.levels.min; l <= graph.levels.max; l++) {
              const s = levelSize(S, l);
              assert.deepEqual(out.get(l)!.shape, [1, s, s, graph.channels], `P${l}`);
            }
          });
          const cost = graphCost(graph, { inputSize: S });
          assert.equal(store.count('neck'), cost.params);
          assert.equal(macs.neck, cost.macs);
        } finally {
          store.dispose();
        }
      },
    ),
    { numRuns: 150 },
  );
});
