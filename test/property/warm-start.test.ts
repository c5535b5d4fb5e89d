// Warm start: seeded evolution reaches a given reward sooner than unseeded evolution on bench:search's
// synthetic objective (medians over several seeds; the same comparison fails for a controller that
// ignores its seeds), and seed-graph errors (any graph, as a file): either it is a point of the space and
// the seed decodes to it, or the error names it at $.seedGraphs[0] with exit 2.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import fc from 'fast-check';

import { type Controller, createController } from '../../controllers/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { CampaignConfigError, resolveCampaign } from '../../src/campaign/config.js';
import { fitToSpace, resolveSeedGraphs } from '../../src/campaign/seed-graphs.js';
import { graphHash } from '../../src/graph/canonical.js';
import { arbGraph } from '../../src/testing/arbitraries.js';
import { drive, median, nearTarget, SYNTHETIC_W, syntheticObjective } from '../../src/testing/synthetic-objective.js';
import { exitCodeOf } from '../../src/util/errors.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SEEDS = 9;
const CAP = 400;
/**
 * The bar: 60 % of the hidden target's reward. The seeds: three known designs, each the target with at least
 * 6 decisions changed and below the bar (SEEDS=9 SECTIONS=warm-start npm run bench:search: median 63
 * trials seeded against 316 unseeded).
 */
const BAR_FRACTION = 0.6;
const CHANGES = 6;

async function trialsToBar(warm: (c: Controller, seeds: number[][]) => void): Promise<number[]> {
  const counts: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const obj = syntheticObjective(seed, 'run');
    const options = { objective: { metric: 'AP', macsTarget: obj.targetMacs, w: SYNTHETIC_W } };
    const c = await createController('evolution', obj.space, options, `${seed}`);
    const bar = BAR_FRACTION * obj.truthReward(obj.target);
    // Known designs: each at least CHANGES decisions away from the target, and below the bar.
    const known = [0, 1, 2].map((j) => {
      let d = nearTarget(obj, CHANGES, `${seed}-${j}`);
      for (let more = 1; obj.truthReward(d) >= bar; more++) d = nearTarget(obj, CHANGES + more, `${seed}-${j}`);
      return d;
    });
    warm(c, known);
    counts.push((await drive(c, obj, bar, CAP)).trials);
  }
  return counts;
}

describe('warm start', () => {
  test('seeded evolution reaches the bar in fewer trials than unseeded (median over seeds)', async () => {
    const unseeded = await trialsToBar(() => {});
    const seeded = await trialsToBar((c, s) => c.warmStart!(s));
    const [u, s] = [median(unseeded), median(seeded)];
    assert.ok(s < u, `median trials to the bar: seeded ${s} (${seeded}) vs unseeded ${u} (${unseeded})`);
  });

  test('the comparison can fail: a controller that ignores its seeds is no faster', async () => {
    const unseeded = await trialsToBar(() => {});
    const ignored = await trialsToBar((c) => (c.warmStart = () => {}));
    assert.ok(!(median(ignored) < median(unseeded)));
  });

  test('any graph as a seed: a point of the space that decodes to it, or an error naming it (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnas-seeds-'));
    dirs.push(dir);
    const space = getSpace('nas-fpn', { cells: 5, levels: { min: 3, max: 5 } });
    const points = fc
      .array(fc.nat(), { minLength: space.decisionCount, maxLength: space.decisionCount })
      .map((xs) => space.decode(xs.map((x, i) => x % space.vocabulary[i].size)));
    // Graphs of the space (named as files) and arbitrary graphs (almost never in the space).
    const arbSeed = fc.oneof(points, arbGraph({ minLevel: 2, maxLevel: 6, withMeta: false }));
    let k = 0;
    await fc.assert(
      fc.asyncProperty(arbSeed, async (graph) => {
        const file = join(dir, `g${k++}.graph.json`);
        writeFileSync(file, JSON.stringify(graph));
        const cfg = resolveCampaign({
          name: 'seeds',
          space: { name: 'nas-fpn', options: space.options },
          controller: { kind: 'evolution' },
          budget: { trials: 2 },
          seedGraphs: [file],
        });
        try {
          const [seed] = await resolveSeedGraphs(cfg, space);
          assert.equal(graphHash(space.decode(seed.decisions)), seed.hash);
          assert.equal(seed.hash, graphHash(fitToSpace(graph, space)));
        } catch (err) {
          assert.ok(err instanceof CampaignConfigError, String(err));
          assert.equal(exitCodeOf(err), 2);
          assert.equal(err.issues.length, 1);
          assert.equal(err.issues[0].path, '$.seedGraphs[0]');
          assert.ok(err.issues[0].message.includes(file), err.issues[0].message);
        }
      }),
      { numRuns: 150 },
    );
  });
});
