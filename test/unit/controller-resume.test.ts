// Every controller: the same seed and the same told results give the same proposals, and a run saved
// with state() → JSON → load() continues identically, in this process and in a fresh one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { type Controller, createController } from '../../controllers/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { type Asked, drive } from './controller-harness.js';

const SPACE = 'nas-fpn';
const SPACE_OPTIONS = {};
// Small RL batches so that several policy updates happen before and after the snapshot.
const CASES = [
  { kind: 'random', options: {} },
  { kind: 'evolution', options: { populationSize: 8, sampleSize: 3 } },
  { kind: 'rl', options: { batchSize: 5, epochs: 2, hidden: 16, embedding: 8 } },
];
const BEFORE = 27; // asks before the snapshot (leaves proposals in flight and a partial RL batch)
const AFTER = 21;

async function make(kind: string, options: unknown, seed: string): Promise<Controller> {
  return createController(kind, getSpace(SPACE, SPACE_OPTIONS), options, seed);
}

const dispose = (c: Controller) => (c as { dispose?: () => void }).dispose?.();

test('same seed and same outcomes give the same proposals; state() → JSON → load() continues identically, also in a fresh process', async () => {
  const childCases = [];
  const expected: Asked[][] = [];
  for (const { kind, options } of CASES) {
    const seed = `resume-${kind}`;
    // Run A: uninterrupted.
    const a = await make(kind, options, seed);
    const queueA: Asked[] = [];
    const firstA = await drive(a, queueA, BEFORE);
    const saved = JSON.stringify(a.state());
    const queueAtSave = structuredClone(queueA);
    const restA = await drive(a, queueA, AFTER);
    dispose(a);

    // Run B: same seed, same outcomes → same proposals.
    const b = await make(kind, options, seed);
    const firstB = await drive(b, [], BEFORE);
    assert.deepEqual(firstB, firstA, `${kind}: same seed, same outcomes`);
    dispose(b);

    // A different seed asks something else (the test could fail).
    const other = await make(kind, options, `${seed}-other`);
    const firstOther = await drive(other, [], 3);
    assert.notDeepEqual(
      firstOther.map((x) => x.hash),
      firstA.slice(0, 3).map((x) => x.hash),
      `${kind}: seed matters`,
    );
    dispose(other);

    // Run C: restore into a fresh controller in this process.
    const c = await make(kind, options, seed);
    c.load(JSON.parse(saved));
    const restC = await drive(c, structuredClone(queueAtSave), AFTER);
    assert.deepEqual(restC, restA, `${kind}: load() in-process continues identically`);
    dispose(c);

    childCases.push({
      kind,
      space: SPACE,
      spaceOptions: SPACE_OPTIONS,
      options,
      seed,
      state: JSON.parse(saved),
      queue: queueAtSave,
      steps: AFTER,
    });
    expected.push(restA);
  }

  // Run D: a fresh node process.
  const dir = mkdtempSync(join(tmpdir(), 'controller-resume-'));
  try {
    const file = join(dir, 'cases.json');
    writeFileSync(file, JSON.stringify(childCases));
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'controller-resume-child.ts'), file],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    assert.equal(child.status, 0, `child failed: ${child.stderr}`);
    const got = JSON.parse(child.stdout) as Asked[][];
    CASES.forEach(({ kind }, k) =>
      assert.deepEqual(got[k], expected[k], `${kind}: load() in a fresh process continues identically`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('load() rejects a state of another kind or another space', async () => {
  const r = await make('random', {}, 's');
  const e = await make('evolution', {}, 's');
  assert.throws(() => e.load(r.state()), /kind is "random", expected "evolution"/);
  const other = await createController('random', getSpace('nas-fpn', { cells: 6 }), {}, 's');
  assert.throws(() => other.load(r.state()), /another space/);
});

test('a corrupt state is rejected with a clear error and leaves the controller as it was', async () => {
  for (const { kind, options } of CASES) {
    const c = await make(kind, options, 'corrupt');
    await drive(c, [], 10);
    const before = JSON.stringify(c.state());
    const bad = JSON.parse(before);
    if (kind === 'rl') bad.policy.weights[1] = bad.policy.weights[1].slice(1);
    else bad.book.pending[0].decisions = [1, 2, 3];
    assert.throws(
      () => c.load(bad),
      kind === 'rl' ? /rl state: policy\.weights\[1\] must be/ : /expected 28 decisions, got 3/,
    );
    assert.equal(JSON.stringify(c.state()), before, `${kind}: unchanged after a failed load`);
    dispose(c);
  }
});

test('importing the controllers and spaces does not load tfjs; creating an rl controller does', () => {
  const script = [
    "const M = (await import('node:module')).default;",
    "const tf = () => Object.keys(M._cache).filter((k) => k.includes('@tensorflow')).length;",
    "const { createController } = await import('./controllers/index.ts');",
    "const { getSpace } = await import('./search-spaces/index.ts');",
    'const before = tf();',
    "await createController('rl', getSpace('nas-fpn'), {}, 1);",
    'console.log(JSON.stringify([before, tf()]));',
  ].join('\n');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const [before, after] = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(before, 0);
  assert.ok(after > 0);
});
