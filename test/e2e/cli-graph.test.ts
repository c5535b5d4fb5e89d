// End-to-end: the graph commands as a user runs them (`node bin/pyramid-nas.mjs …`), exit codes included.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { XMLValidator } from 'fast-xml-parser';

import { cliSync } from './cli-process.js';

const ZOO = 'search-spaces/zoo';
const zooFiles = readdirSync(ZOO)
  .filter((f) => f.endsWith('.graph.json'))
  .map((f) => join(ZOO, f));
const dir = mkdtempSync(join(tmpdir(), 'cli-graph-'));

const cli = (...args: string[]) => cliSync(args, {}, 60_000);

describe('pyramid-nas validate', () => {
  test('the whole zoo is valid: exit 0', () => {
    const r = cli('validate', ...zooFiles);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, zooFiles.length);
    assert.match(r.stdout, /nas-fpn\.graph\.json: ok \(9 nodes, hash 811dbb3cb308\)/);
  });

  test('a malformed graph: exit 2, file: JSON path: message; --json carries code and path', () => {
    const g = JSON.parse(readFileSync(join(ZOO, 'fpn.graph.json'), 'utf8'));
    g.nodes[1].inputs[1] = 'p9';
    const bad = join(dir, 'bad.graph.json');
    writeFileSync(bad, JSON.stringify(g));
    const human = cli('validate', join(ZOO, 'fpn.graph.json'), bad);
    assert.equal(human.code, 2);
    assert.ok(human.stderr.includes(`${bad}: nodes[1].inputs[1]: unknown id "p9" [UNKNOWN_INPUT]`), human.stderr);
    const json = cli('validate', '--json', bad);
    assert.equal(json.code, 2);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, false);
    assert.deepEqual(report.files[0].errors[0], {
      code: 'UNKNOWN_INPUT',
      path: 'nodes[1].inputs[1]',
      message: 'unknown id "p9"',
    });
  });

  test('broken JSON: exit 2 with line:column; dead nodes warn but pass', () => {
    const broken = join(dir, 'broken.graph.json');
    writeFileSync(broken, '{\n  "format": "pyramid-graph/1",\n  "nodes": [,]\n}');
    const r = cli('validate', broken);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.graph\.json: \$: invalid JSON at 3:13/);
    const g = JSON.parse(readFileSync(join(ZOO, 'fpn.graph.json'), 'utf8'));
    g.nodes.push({ id: 'unused', level: 3, op: 'sum', inputs: ['C3'], post: 'none' });
    const dead = join(dir, 'dead.graph.json');
    writeFileSync(dead, JSON.stringify(g));
    const w = cli('validate', dead);
    assert.equal(w.code, 0);
    assert.match(w.stderr, /nodes\[6\]: warning: node "unused" reaches no output \[DEAD_NODE\]/);
  });
});

describe('pyramid-nas render / hash / zoo', () => {
  test('render NAS-FPN to SVG with -o (atomic), and DOT/Mermaid to stdout; a bad format exits 2', () => {
    const out = join(dir, 'nas.svg');
    const r = cli('render', join(ZOO, 'nas-fpn.graph.json'), '--format', 'svg', '-o', out);
    assert.equal(r.code, 0, r.stderr);
    const svg = readFileSync(out, 'utf8');
    assert.equal(XMLValidator.validate(svg), true);
    assert.equal((svg.match(/>C[3-7]<\/text>/g) ?? []).length, 5);
    assert.equal((svg.match(/>P[3-7]<\/text>/g) ?? []).length, 5);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
    const dot = cli('render', join(ZOO, 'fpn.graph.json'), '--format', 'dot');
    assert.equal(dot.code, 0);
    assert.match(dot.stdout, /^digraph "fpn" \{/);
    assert.equal(cli('render', join(ZOO, 'fpn.graph.json'), '--format', 'png').code, 2);
  });

  test('hash: the same hash for a shuffled, renamed copy; exit 2 for a missing file', () => {
    const g = JSON.parse(readFileSync(join(ZOO, 'bifpn.graph.json'), 'utf8'));
    const ren = (id: string) => (id.startsWith('C') ? id : `x_${id}`);
    g.nodes = g.nodes.map((x: { id: string; inputs: string[] }) => ({
      ...x,
      id: ren(x.id),
      inputs: [...x.inputs].reverse().map(ren),
    }));
    g.outputs = Object.fromEntries(Object.entries(g.outputs as Record<string, string>).map(([k, v]) => [k, ren(v)]));
    g.name = 'renamed';
    const copy = join(dir, 'copy.graph.json');
    writeFileSync(copy, JSON.stringify(g));
    const r = cli('hash', join(ZOO, 'bifpn.graph.json'), copy, join(dir, 'missing.json'));
    assert.equal(r.code, 2);
    const [a, b] = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(a, b);
    assert.match(r.stderr, /missing\.json: \$: cannot read/);
  });

  test('zoo: a table of the nine graphs, and --json with exact numbers', () => {
    // The reference zoo alone: the repository's discovered pyramids are left out by naming a missing folder.
    const none = ['--discovered', join(dir, 'no-discovered')];
    const table = cli('zoo', '--size', '128', ...none);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(
      lines[0],
      /^name\s+live nodes\s+channels×repeats\s+params \(proxy\)\s+MACs @128px \(proxy\)\s+params \(full\)\s+MACs @640px \(full\)\s+hash$/,
    );
    // The rows, a blank line, then what "proxy" and "full" mean.
    assert.equal(lines.length, 1 + zooFiles.length + 3);
    assert.match(lines.at(-1)!, /^full scale: ResNet-50 in-channels 512\/1024\/2048 .*256 channels, 640×640 input$/);
    assert.match(
      table.stdout,
      /\nfpn\s+6\s+256×1\s+3,077,120\s+204,963,840\s+4,920,320\s+6,561,792,000\s+39c5f383895e\n/,
    );
    const json = JSON.parse(cli('zoo', '--json', '--size', '64', ...none).stdout);
    assert.equal(json.inputSize, 64);
    assert.equal(json.graphs.length, zooFiles.length);
    assert.equal(cli('zoo', '--size', 'big').code, 2);
  });
});
