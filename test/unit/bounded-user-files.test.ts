// The remaining user files read with a size cap: a split file, IDX files under --data (plain and gzipped,
// where the cap also bounds what a small .gz unzips to), a trial's graph file in the dashboard, and the
// dashboard's journal tail, where one endless line must not be held in memory. Oversized files are
// sparse (a truncate), so they cost no disk and no time.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import type { JournalEvent } from '../../src/campaign/journal.js';
import { JournalTail, type TailBatch, type TailProblem } from '../../src/dashboard/tail.js';
import { loadTrialGraph, SpaceCache } from '../../src/dashboard/trial-graph.js';
import { DatasetError } from '../../src/data/errors.js';
import { readIdxFile } from '../../src/data/idx.js';
import { readSplitFile } from '../../src/data/split-file.js';
import { writeSyntheticCampaign } from '../../src/testing/synthetic-campaign.js';
import { INPUT_LIMITS } from '../../src/util/read-bounded.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-bounded-files-'));
after(() => rmSync(root, { recursive: true, force: true }));
let k = 0;
const fresh = (): string => {
  const d = join(root, `d${k++}`);
  mkdirSync(d);
  return d;
};

/** A file of `bytes` zero bytes that takes no disk space. */
function sparse(file: string, bytes: number): void {
  closeSync(openSync(file, 'w'));
  truncateSync(file, bytes);
}

function datasetError(code: string, message: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof DatasetError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  };
}

describe('split file', () => {
  test('over INPUT_LIMITS.splitFile: refused as too large before reading, naming the file', () => {
    const f = join(fresh(), 'pyramid-nas.split.json');
    sparse(f, INPUT_LIMITS.splitFile + 1);
    assert.throws(
      () => readSplitFile(f),
      datasetError('TOO_LARGE', /pyramid-nas\.split\.json: .* is over the 128 MiB limit for a split file/),
    );
  });

  test('a directory, a missing file: refused; a BOM is ignored; a syntax error has line and column', () => {
    const d = fresh();
    assert.throws(() => readSplitFile(d), datasetError('MISSING_FILE', /is a directory/));
    assert.throws(() => readSplitFile(join(d, 'none.json')), datasetError('MISSING_FILE', /no such file/));
    const f = join(d, 'split.json');
    writeFileSync(f, '\ufeff{"format": "pyramid-nas-split/1", "train": [1, 2], "heldout": [3]}');
    assert.deepEqual(readSplitFile(f), {
      format: 'pyramid-nas-split/1',
      train: [1, 2],
      heldout: [3],
      test: [], // no test key: the split has no test images
      source: undefined,
    });
    writeFileSync(f, '{\n  "format": "pyramid-nas-split/1",\n  "train": [1,, 2]\n}');
    assert.throws(
      () => readSplitFile(f),
      datasetError('BAD_JSON', /split\.json: not valid JSON at line 3, column 15: expected a value, found ","/),
    );
  });
});

describe('IDX files', () => {
  const NAME = 'train-labels-idx1-ubyte';

  test('a plain file over INPUT_LIMITS.idx is refused before reading', () => {
    const d = fresh();
    sparse(join(d, NAME), INPUT_LIMITS.idx + 1);
    assert.throws(
      () => readIdxFile(d, NAME),
      datasetError('TOO_LARGE', /train-labels-idx1-ubyte: .* is over the 64 MiB limit for a Fashion-MNIST IDX file/),
    );
  });

  test('a small .gz that unzips past the limit stops at the limit', () => {
    const d = fresh();
    const bomb = gzipSync(Buffer.alloc(INPUT_LIMITS.idx + 1024), { level: 1 });
    assert.ok(bomb.length < 1024 * 1024);
    writeFileSync(join(d, `${NAME}.gz`), bomb);
    assert.throws(
      () => readIdxFile(d, NAME),
      datasetError('TOO_LARGE', /\.gz: unzips to more than 64 MiB, the limit for a Fashion-MNIST IDX file/),
    );
  });

  test('within the limit, plain or gzipped, a file reads as before; a directory in its place is refused', () => {
    const header = Buffer.from([0, 0, 8, 1, 0, 0, 0, 3]);
    const file = Buffer.concat([header, Buffer.from([7, 8, 9])]);
    const plain = fresh();
    writeFileSync(join(plain, NAME), file);
    assert.deepEqual([...readIdxFile(plain, NAME).data], [7, 8, 9]);
    const gz = fresh();
    writeFileSync(join(gz, `${NAME}.gz`), gzipSync(file));
    assert.deepEqual(readIdxFile(gz, NAME).dims, [3]);
    const dir = fresh();
    mkdirSync(join(dir, NAME));
    assert.throws(() => readIdxFile(dir, NAME), datasetError('MISSING_FILE', /is a directory/));
  });
});

describe('dashboard trial graph', () => {
  const dir = join(root, 'demo');
  const { config, trials } = writeSyntheticCampaign(dir, { name: 'demo', trials: 4, seed: 3, writer: 'bulk' });
  const spaces = new SpaceCache();

  test('a graph file over INPUT_LIMITS.graph is not read: decoded instead, with the reason', () => {
    sparse(join(dir, 'graphs', 'demo-0.graph.json'), INPUT_LIMITS.graph + 1);
    const g = loadTrialGraph(dir, 'demo-0', trials[0].decisions, config, spaces);
    assert.equal(g.source, 'decoded');
    assert.match(g.note!, /demo-0\.graph\.json: .* is over the 4 MiB limit for a graph file/);
  });

  test('a graph file read like `validate` reads one: a BOM is fine, a "__proto__" key is named', () => {
    const text = JSON.stringify(trials[1].graph);
    writeFileSync(join(dir, 'graphs', 'demo-1.graph.json'), `\ufeff${text}`);
    assert.equal(loadTrialGraph(dir, 'demo-1', trials[1].decisions, config, spaces).source, 'file');
    writeFileSync(join(dir, 'graphs', 'demo-2.graph.json'), `${text.slice(0, -1)},"meta":{"__proto__":{}}}`);
    const g = loadTrialGraph(dir, 'demo-2', trials[2].decisions, config, spaces);
    assert.equal(g.source, 'decoded');
    assert.match(g.note!, /meta\.__proto__: unknown key "__proto__"/);
  });
});

describe('dashboard journal tail: one endless line', () => {
  const asked = (index: number): JournalEvent => ({
    type: 'asked',
    index,
    trialId: `c-${index}`,
    decisions: [index],
    hash: `h${index}`,
  });
  const line = (e: JournalEvent): string => JSON.stringify(e) + '\n';

  function setup(maxLineBytes?: number) {
    const path = join(fresh(), 'journal.jsonl');
    const batches: TailBatch[] = [];
    const problems: TailProblem[] = [];
    const tail = new JournalTail(path, {
      pollMs: 60_000,
      maxLineBytes,
      onBatch: (b) => batches.push(b),
      onProblem: (p) => problems.push(p),
    });
    const indices = () => batches.flatMap((b) => b.events).map((e) => (e as { index: number }).index);
    return { path, tail, problems, indices };
  }

  test('a line over the limit is reported once, skipped as it streams in, and the lines after it are read', () => {
    const t = setup(1024);
    writeFileSync(t.path, line(asked(0)) + 'x'.repeat(3000)); // no newline yet: an append in progress
    t.tail.readNew();
    assert.deepEqual(t.indices(), [0]);
    assert.deepEqual(t.problems, [{ file: t.path, line: 2, message: 'line longer than 1 KiB; skipped' }]);
    appendFileSync(t.path, 'y'.repeat(5000)); // still the same line: not reported again
    t.tail.readNew();
    appendFileSync(t.path, 'z\n' + line(asked(1)) + line(asked(2)));
    t.tail.readNew();
    assert.deepEqual(t.indices(), [0, 1, 2]);
    assert.equal(t.problems.length, 1);
    appendFileSync(t.path, '{"oops"\n');
    t.tail.readNew();
    assert.equal(t.problems[1].line, 5, 'line numbers still count the skipped line');
    t.tail.close();
  });

  test('a line at the limit is still read; an oversized controller snapshot is skipped without a report', () => {
    const t = setup(1024);
    const big: JournalEvent = {
      type: 'told',
      index: 0,
      trialId: 'c-0',
      status: 'failed',
      error: '',
      reward: 0,
      elapsed: 1,
    };
    const fill = 1024 - JSON.stringify(big).length;
    writeFileSync(t.path, line({ ...big, error: 'e'.repeat(fill) }));
    appendFileSync(
      t.path,
      line({
        type: 'controller-snapshot',
        asked: 1,
        told: 1,
        state: { kind: 'rl', version: 1, weights: 'w'.repeat(5000) },
      } as JournalEvent),
    );
    appendFileSync(t.path, line(asked(3)));
    t.tail.readNew();
    assert.deepEqual(t.indices(), [0, 3]);
    assert.deepEqual(t.problems, []);
    t.tail.close();
  });

  test('by default the limit is INPUT_LIMITS.journalLine: a longer newline-free stretch is reported, not buffered', () => {
    const t = setup();
    writeFileSync(t.path, line(asked(0)));
    truncateSync(t.path, INPUT_LIMITS.journalLine + 4096); // zeros after the first line, no newline
    t.tail.readNew();
    assert.deepEqual(t.indices(), [0]);
    assert.deepEqual(
      t.problems.map((p) => [p.line, p.message]),
      [[2, 'line longer than 64 MiB; skipped']],
    );
    t.tail.close();
  });
});
