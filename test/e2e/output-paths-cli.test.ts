// Output files the user names on the command line (`render -o`, `dataset preview --out`, `dataset export
// --out`) are never written under /proc, /sys or /dev: exit 2 with a message naming the path and the rule,
// and nothing is created. (Paths whose folder exists, such as /proc/self/x, are the case that slipped by.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';

const BIN = resolve('bin/pyramid-nas.mjs');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
const GRAPH = join('search-spaces', 'zoo', 'fpn.graph.json');

describe('output paths under /proc and /sys', { skip: process.platform === 'win32' && 'POSIX paths only' }, () => {
  test('render -o /proc/self/x.svg: exit 2, refused by name', () => {
    const r = cli('render', GRAPH, '--format', 'svg', '-o', '/proc/self/pnas-render.svg');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /\/proc\/self\/pnas-render\.svg: refusing to write under \/proc/);
    assert.equal(r.stdout, '');
  });

  test('dataset preview --out /sys/x.png and dataset export --out /proc/self/x: exit 2, refused by name', () => {
    const preview = cli(
      'dataset',
      'preview',
      'shapes',
      '--out',
      '/sys/pnas-preview.png',
      '--count',
      '1',
      '--size',
      '16',
    );
    assert.equal(preview.status, 2, preview.stderr);
    assert.match(preview.stderr, /^pyramid-nas dataset: \/sys\/pnas-preview\.png: refusing to write under \/sys/);
    const exp = cli('dataset', 'export', 'shapes', '--out', '/proc/self/pnas-export', '--count', '1', '--size', '16');
    assert.equal(exp.status, 2, exp.stderr);
    assert.match(exp.stderr, /^pyramid-nas dataset: \/proc\/self\/pnas-export: refusing to write under \/proc/);
    assert.equal(existsSync('/sys/pnas-preview.png'), false);
  });
});
