// The compiled CLI: bin/pyramid-nas.mjs runs dist/ only while it is current (a clone's stale or missing build
// runs the sources through tsx instead, never old code); every file the code reads relative to its own
// module exists beside the compiled module too; and each command, loaded on its own, is the one it is named.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, describe, test } from 'node:test';

const REPO = resolve('.');
const SOURCE_ROOTS = ['src', 'search-spaces', 'controllers', 'workers'];

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('bin/pyramid-nas.mjs in a clone', () => {
  const root = mkdtempSync(join(tmpdir(), 'pnas-bin-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  // A miniature clone: the real bin, a "source" CLI only tsx can run and a "compiled" one that says so.
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(REPO, 'bin/pyramid-nas.mjs'), join(root, 'bin/pyramid-nas.mjs'));
  copyFileSync(join(REPO, 'bin/dist-freshness.mjs'), join(root, 'bin/dist-freshness.mjs'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(root, 'src/cli'), { recursive: true });
  mkdirSync(join(root, 'dist/src/cli'), { recursive: true });
  writeFileSync(join(root, 'src/cli/main.ts'), "const from: string = 'source';\nconsole.log(from);\n");
  writeFileSync(join(root, 'dist/src/cli/main.js'), "console.log('dist');\n");
  writeFileSync(join(root, 'tsconfig.json'), '{}');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'clone', type: 'module' }));
  const stamp = join(root, 'dist/.build-stamp');
  const at = (file: string, secondsAgo: number) =>
    utimesSync(file, Date.now() / 1000 - secondsAgo, Date.now() / 1000 - secondsAgo);
  const run = () => spawnSync(process.execPath, [join(root, 'bin/pyramid-nas.mjs')], { cwd: root, encoding: 'utf8' });

  test('never built: the sources run', () => {
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'source\n');
  });

  test('built after the last edit: dist runs', () => {
    for (const f of ['src/cli/main.ts', 'tsconfig.json']) at(join(root, f), 60);
    writeFileSync(stamp, '');
    at(stamp, 30);
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'dist\n');
  });

  test('a source saved after the build started: the sources run, not the old build', () => {
    at(join(root, 'src/cli/main.ts'), 10);
    assert.equal(run().stdout, 'source\n');
    at(join(root, 'src/cli/main.ts'), 60);
    mkdirSync(join(root, 'workers'), { recursive: true });
    writeFileSync(join(root, 'workers/new-module.ts'), 'export {};\n');
    assert.equal(run().stdout, 'source\n');
    rmSync(join(root, 'workers'), { recursive: true });
    at(join(root, 'tsconfig.json'), 10);
    assert.equal(run().stdout, 'source\n');
  });

  test('an installed package (no sources beside dist) runs dist, and says so when dist is missing', () => {
    rmSync(join(root, 'src'), { recursive: true });
    rmSync(stamp);
    assert.equal(run().stdout, 'dist\n');
    rmSync(join(root, 'dist'), { recursive: true });
    const r = run();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /dist\/src\/cli\/main\.js is missing: this installation is incomplete/);
  });
});

describe('the build in dist/', () => {
  test('exists (the test runner builds before it runs the tests)', () => {
    assert.ok(
      existsSync(join(REPO, 'dist/.build-stamp')),
      'dist/.build-stamp is missing: run the tests through scripts/run-tests.mjs, which builds first',
    );
  });

  test('every file a module locates from its own URL exists beside the compiled module too', () => {
    // new URL('<path>', import.meta.url) and join(dirname(fileURLToPath(import.meta.url)), '<path>')
    const patterns = [
      /new URL\(\s*'([^']+)'\s*,\s*import\.meta\.url\s*\)/g,
      /join\(\s*dirname\(\s*fileURLToPath\(\s*import\.meta\.url\s*\)\s*\)\s*,\s*'([^']+)'\s*\)/g,
    ];
    const checked: string[] = [];
    for (const file of SOURCE_ROOTS.flatMap((r) => sources(join(REPO, r)))) {
      const text = readFileSync(file, 'utf8');
      for (const re of patterns) {
        for (const m of text.matchAll(re)) {
          const target = resolve(dirname(file), m[1]);
          // Written, not read, by the module (a generator's output that is not there yet): nothing to ship.
          if (!existsSync(target)) continue;
          const compiled = join(REPO, 'dist', relative(REPO, target));
          assert.ok(
            existsSync(compiled),
            `${relative(REPO, file)} reads ${m[1]}: dist/${relative(REPO, target)} is missing`,
          );
          checked.push(relative(REPO, target));
        }
      }
    }
    // The zoo, the graph schema, the backbone weights and the dashboard page at least.
    for (const want of [
      'search-spaces/zoo',
      'src/graph/pyramid-graph-1.schema.json',
      'src/train/weights/backbone-shapes-deep.json',
      'src/train/weights/backbone-shapes.json',
      'src/dashboard/public',
    ]) {
      assert.ok(checked.includes(want), `expected a module to locate ${want} (found ${checked.join(', ')})`);
    }
  });

  test('each command name loads the module that registers that command', () => {
    const main = readFileSync(join(REPO, 'src/cli/main.ts'), 'utf8');
    const names = [...main.matchAll(/^\s+'?([\w-]+)'?: \(\) => import\('\.\/commands\/[\w-]+\.js'\),$/gm)].map(
      (m) => m[1],
    );
    assert.ok(names.length >= 10, `COMMANDS table not found in src/cli/main.ts (got ${names.join(', ')})`);
    const all = spawnSync(process.execPath, ['bin/pyramid-nas.mjs', '--help'], { encoding: 'utf8' });
    assert.equal(all.status, 0, all.stderr);
    for (const name of names) {
      assert.match(all.stdout, new RegExp(`^  ${name}\\b`, 'm'), `--help does not list ${name}`);
      const one = spawnSync(process.execPath, ['bin/pyramid-nas.mjs', name, '--help'], { encoding: 'utf8' });
      assert.equal(one.status, 0, `${name} --help: ${one.stderr}`);
      assert.match(
        one.stdout,
        new RegExp(`^Usage: pyramid-nas ${name}\\b`),
        `${name} --help printed ${one.stdout.slice(0, 200)}`,
      );
    }
  });
});
