// SLOW (npm pack + npm install into an empty folder: about 20–30 s with a warm npm cache, longer when npm
// has to download the dependencies). The published package on its own: the tarball installs into an empty
// folder, `npx pyramid-nas` validates a graph and runs a tiny embedded campaign there (the fake trainer;
// the pool children run the compiled JavaScript, with no tsx installed), and plain JavaScript imports the
// library (`pyramid-nas`, `pyramid-nas/testing`).
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

const REPO = resolve('.');
const root = mkdtempSync(join(tmpdir(), 'pnas-package-'));
const app = join(root, 'app');
const GRAPH_HASH = '39c5f383895e'; // search-spaces/zoo/fpn.graph.json's canonical hash (short form)
let files: string[] = [];

function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, ...opts });
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

before(() => {
  // The runner has built dist/ already; building again is a no-op unless a source changed since.
  const build = sh(process.execPath, ['scripts/build.mjs', '--allow-type-errors', '--quiet'], { cwd: REPO });
  assert.equal(build.status, 0, build.stderr);
  // --ignore-scripts: prepack's strict build would fail the pack on a type error, which tsc --noEmit reports.
  const pack = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], { cwd: REPO });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // From the npm cache when it has everything (as offline as it can be), else from the registry.
  // --ignore-scripts skips the optional tfjs-node-gpu's libtensorflow download (a GPU library this needs not).
  const install = sh(
    'npm',
    ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(root, info.filename)],
    { cwd: app },
  );
  assert.equal(install.status, 0, `npm install of the tarball failed:\n${install.stderr}`);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('the tarball holds the compiled code and its runtime files, not the sources or build state', () => {
  for (const want of [
    'bin/pyramid-nas.mjs',
    'bin/dist-freshness.mjs',
    'dist/src/cli/main.js',
    'dist/src/index.d.ts',
    'dist/src/testing/index.js',
    'dist/workers/pool-child.js',
    'search-spaces/zoo/fpn.graph.json',
    'src/graph/pyramid-graph-1.schema.json',
    'src/train/weights/backbone-shapes.json',
    'src/dashboard/public/index.html',
  ]) {
    const path = want.startsWith('bin/') || want.startsWith('dist/') ? want : `dist/${want}`;
    assert.ok(files.includes(path), `${path} is not in the package`);
  }
  const strays = files.filter(
    (f) =>
      (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
      f.startsWith('test/') ||
      f.startsWith('bench/') ||
      /\.tsbuildinfo$|\.build-(stamp|lock)$/.test(f),
  );
  assert.deepEqual(strays, []);
  assert.equal(existsSync(join(app, 'node_modules/tsx')), false, 'tsx must not be a dependency of the package');
});

test('npx pyramid-nas validate', () => {
  copyFileSync(join(REPO, 'search-spaces/zoo/fpn.graph.json'), join(app, 'fpn.graph.json'));
  const r = sh('npx', ['--offline', 'pyramid-nas', 'validate', 'fpn.graph.json'], { cwd: app });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^fpn\\.graph\\.json: ok \\(6 nodes, hash ${GRAPH_HASH}\\)$`, 'm'));
  const zoo = sh('npx', ['--offline', 'pyramid-nas', 'zoo'], { cwd: app });
  assert.equal(zoo.status, 0, zoo.stderr);
  assert.match(zoo.stdout, /bifpn/);
});

test('npx pyramid-nas search: a tiny embedded campaign (fake trainer) in the pool children', () => {
  writeFileSync(
    join(app, 'tiny.campaign.json'),
    JSON.stringify({
      name: 'tiny',
      seed: 1,
      space: { name: 'nas-fpn' },
      controller: { kind: 'random' },
      budget: { trials: 2 },
      concurrency: 1,
      output: 'results/tiny',
    }),
  );
  const env = { ...process.env, PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: '{}' };
  const r = sh('npx', ['--offline', 'pyramid-nas', 'search', 'tiny.campaign.json', '--json'], { cwd: app, env });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const status = sh('npx', ['--offline', 'pyramid-nas', 'status', 'results/tiny', '--json'], { cwd: app });
  assert.equal(status.status, 0, status.stderr);
  const report = JSON.parse(status.stdout) as { campaign: string; trials: { status: string }[]; best: string | null };
  assert.equal(report.campaign, 'tiny');
  assert.deepEqual(
    report.trials.map((t) => t.status),
    ['complete', 'complete'],
    status.stdout,
  );
  assert.notEqual(report.best, null);
});

test('plain JavaScript imports pyramid-nas and pyramid-nas/testing', () => {
  writeFileSync(
    join(app, 'use.mjs'),
    `
    import { readFileSync } from 'node:fs';
    const api = await import('pyramid-nas');
    const testing = await import('pyramid-nas/testing');
    const r = api.parseGraph(JSON.parse(readFileSync('fpn.graph.json', 'utf8')));
    if (!r.ok) throw new Error('fpn.graph.json did not parse');
    console.log(JSON.stringify({ hash: api.graphHash(r.graph), arbGraph: typeof testing.arbGraph, exports: Object.keys(api).length }));
  `,
  );
  const r = sh(process.execPath, ['use.mjs'], { cwd: app });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { hash: string; arbGraph: string; exports: number };
  assert.ok(out.hash.startsWith(GRAPH_HASH), out.hash);
  assert.equal(out.arbGraph, 'function');
  assert.ok(out.exports > 20, `only ${out.exports} exports`);
});

test('TypeScript finds the declarations through the exports map', () => {
  writeFileSync(
    join(app, 'consumer.ts'),
    [
      "import { graphHash, parseGraph, type PyramidGraph } from 'pyramid-nas';",
      "import { arbGraph } from 'pyramid-nas/testing';",
      'const r = parseGraph({});',
      "export const hash: string = r.ok ? graphHash(r.graph) : 'invalid';",
      'export const none: PyramidGraph | undefined = undefined;',
      'export const arb = arbGraph;',
      '// @ts-expect-error: not an export of the package',
      "import { notAnExport } from 'pyramid-nas';",
      'export { notAnExport };',
    ].join('\n'),
  );
  const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
  const r = sh(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
      '--typeRoots',
      join(REPO, 'node_modules/@types'),
      '--types',
      'node',
      'consumer.ts',
    ],
    { cwd: app },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
