// The module layers that keep the tree walkable (docs/architecture.md), checked on the import statements:
// the dashboard reads campaigns without the worker side; the campaign module does not re-export workers;
// the trial contract (src/trial) depends at run time on nothing of the tree but the leaf helpers of
// src/util, so both sides can load it cheaply; test doubles stay in
// src/testing, loaded by the product only where it names them on purpose.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

interface Import {
  /** The imported module, resolved to a path from the repository root (a package name stays as is). */
  target: string;
  typeOnly: boolean;
  reexport: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Import[] = [];
  const re =
    /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4];
    const target = spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : spec;
    out.push({ target, typeOnly: m[2] !== undefined, reexport: m[1] === 'export' });
  }
  return out;
}

const product = ['src', 'controllers', 'search-spaces', 'workers']
  .flatMap(filesUnder)
  .filter((f) => !f.startsWith('src/testing/'));

test('the import scan sees imports (the checks below could fail)', () => {
  assert.ok(importsOf('src/index.ts').some((i) => i.target === 'workers/index.js' && i.reexport));
  assert.ok(importsOf('workers/process-pool.ts').some((i) => i.target === 'src/trial/types.js' && i.typeOnly));
});

test('src/dashboard imports nothing from workers/', () => {
  const bad = filesUnder('src/dashboard').flatMap((f) =>
    importsOf(f)
      .filter((i) => i.target.startsWith('workers/'))
      .map((i) => `${f} → ${i.target}`),
  );
  assert.deepEqual(bad, []);
});

test('src/campaign/index.ts re-exports nothing from workers/', () => {
  assert.deepEqual(
    importsOf('src/campaign/index.ts').filter((i) => i.target.startsWith('workers/')),
    [],
  );
});

test('the trial contract (src/trial) has no run-time dependency on the tree besides src/util', () => {
  const bad = filesUnder('src/trial').flatMap((f) =>
    importsOf(f)
      .filter(
        (i) =>
          !i.typeOnly &&
          (i.target.startsWith('src/') || /^(workers|controllers|search-spaces)\//.test(i.target)) &&
          !/^src\/(trial|util)\//.test(i.target),
      )
      .map((i) => `${f} → ${i.target}`),
  );
  assert.deepEqual(bad, []);
});

test('test doubles live in src/testing; the product loads them only where it names them (the fake trainer)', () => {
  for (const moved of [
    'workers/fake-trainer',
    'src/dashboard/synthetic',
    'src/eval/synthetic',
    'src/eval/arbitraries',
  ]) {
    assert.throws(() => readFileSync(join(ROOT, `${moved}.ts`)), `${moved}.ts is back in the product tree`);
  }
  const allowed = new Set(['src/index.ts', 'workers/trainers.ts']);
  const bad = product.flatMap((f) =>
    importsOf(f)
      .filter((i) => i.target.startsWith('src/testing/') && !allowed.has(f))
      .map((i) => `${f} → ${i.target}`),
  );
  assert.deepEqual(bad, []);
});
