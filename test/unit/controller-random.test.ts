import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ControllerError, createController } from '../../controllers/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { graphHash } from '../../src/graph/index.js';
import { outcomeFor } from './controller-harness.js';

// 2 levels, 2 cells, one op: cell0 reads (C3,C4) or (C4,C3) at level 3 or 4; cell1 picks the other
// level and reads 2 of 3 features. Several decision sequences share a graph hash (sum commutes).
const TINY = { cells: 2, levels: { min: 3, max: 4 }, ops: ['sum'] };

test('random: deduplicates by graph hash, then fails clearly when the space is exhausted', async () => {
  const space = getSpace('nas-fpn', TINY);
  const c = await createController('random', space, { maxRetries: 500 }, 'tiny');
  const hashes = new Set<string>();
  let error: unknown;
  for (let k = 0; k < 100; k++) {
    try {
      const p = await c.ask();
      assert.ok(!hashes.has(p.hash), 'no hash is asked twice');
      hashes.add(p.hash);
      await c.tell(p.index, outcomeFor(p.index, p.decisions));
    } catch (e) {
      error = e;
      break;
    }
  }
  assert.ok(error instanceof ControllerError, `expected a ControllerError, got ${String(error)}`);
  assert.equal(error.code, 'SPACE_EXHAUSTED');
  assert.match(error.message, /space exhausted: 500 random samples in a row were all already asked/);
  // Every distinct graph of the space was found before giving up (brute force over all 24 sequences).
  const all = new Set<string>();
  const sizes = space.vocabulary.map((v) => v.size);
  assert.equal(space.size(), 24n);
  const walk = (prefix: number[]) => {
    if (prefix.length === sizes.length) {
      all.add(graphHash(space.decode(prefix)));
      return;
    }
    for (let t = 0; t < sizes[prefix.length]; t++) walk([...prefix, t]);
  };
  walk([]);
  assert.equal(hashes.size, all.size);
  assert.ok(all.size < 24, 'some sequences share a hash, so deduplication did something');
});

test('tell: unknown and repeated indices are errors; failed and invalid outcomes are accepted', async () => {
  const c = await createController('random', getSpace('nas-fpn'), {}, 1);
  const p = await c.ask();
  await assert.rejects(c.tell(5, outcomeFor(5, p.decisions)), /tell\(5\): no proposal with that index was asked/);
  await c.tell(p.index, { status: 'failed', error: 'boom' });
  await assert.rejects(c.tell(p.index, { status: 'failed' }), /already told/);
  const q = await c.ask();
  await c.tell(q.index, { status: 'invalid' });
  assert.deepEqual((c.state().told as { failed: number; invalid: number }).failed, 1);
});

test('createController validates options (unknown keys, paths)', async () => {
  const space = getSpace('nas-fpn');
  await assert.rejects(createController('random', space, { maxRetrys: 3 }, 1), /maxRetrys: unknown key/);
  await assert.rejects(
    createController('evolution', space, { populationSize: 4, sampleSize: 9 }, 1),
    /sampleSize: sampleSize must be ≤ populationSize/,
  );
  await assert.rejects(createController('rl', space, { objective: { metric: 'AP50' } }, 1), /objective\.metric/);
  await assert.rejects(createController('bayes', space, {}, 1), /unknown controller "bayes"/);
});
