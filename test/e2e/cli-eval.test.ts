// `pyramid-nas eval` end to end: files written here, the real CLI in a child process, exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

const BIN = resolve('bin/pyramid-nas.mjs');
let dir = '';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'eval', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Two objects of class 7 in image 10; detections: the first found (IoU 1), a duplicate of it, then the
// second found. tp 1,1,2 fp 0,1,1 → AP = (51 + 50·2/3)/101 = 253/303 at every threshold (see the unit test).
const gt = {
  images: [
    { id: 10, width: 100, height: 100 },
    { id: 11, width: 100, height: 100 },
  ],
  categories: [{ id: 7, name: 'box' }],
  annotations: [
    { id: 1, image_id: 10, category_id: 7, bbox: [0, 0, 40, 40], area: 1600, iscrowd: 0 },
    { id: 2, image_id: 10, category_id: 7, bbox: [50, 50, 40, 40], area: 1600, iscrowd: 0 },
  ],
};
const dets = [
  { image_id: 10, category_id: 7, bbox: [0, 0, 40, 40], score: 0.9 },
  { image_id: 10, category_id: 7, bbox: [0, 0, 40, 40], score: 0.8 },
  { image_id: 10, category_id: 7, bbox: [50, 50, 40, 40], score: 0.7 },
];

describe('pyramid-nas eval', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-eval-'));
    writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
    writeFileSync(join(dir, 'dt.json'), JSON.stringify(dets));
    const bad = structuredClone(dets);
    bad[2].bbox[2] = 0;
    writeFileSync(join(dir, 'bad-box.json'), JSON.stringify(bad, null, 2));
    const unknownImage = structuredClone(dets);
    unknownImage[1].image_id = 99;
    writeFileSync(join(dir, 'bad-image.json'), JSON.stringify(unknownImage));
    writeFileSync(join(dir, 'broken.json'), '[\n  {"image_id": 10,\n   "bbox": [1, 2,, 3]}\n]');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--json prints exactly the 12 statistics', () => {
    const r = cli('--gt', 'gt.json', '--dt', 'dt.json', '--json');
    assert.equal(r.code, 0, r.stderr);
    const stats = JSON.parse(r.stdout) as Record<string, number>;
    assert.deepEqual(Object.keys(stats), [
      'AP',
      'AP50',
      'AP75',
      'APs',
      'APm',
      'APl',
      'AR1',
      'AR10',
      'AR100',
      'ARs',
      'ARm',
      'ARl',
    ]);
    assert.ok(Math.abs(stats.AP - 253 / 303) < 1e-12);
    assert.equal(stats.APs, -1);
    assert.ok(Math.abs(stats.AR1 - 0.5) < 1e-12);
  });

  test('the default output is the pycocotools summary table', () => {
    const r = cli('--gt', 'gt.json', '--dt', 'dt.json', '--iou-type', 'bbox');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 12);
    assert.equal(lines[0], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.835');
    assert.equal(lines[3], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000');
  });

  test('bad input exits 2 naming the file and the entry', () => {
    let r = cli('--gt', 'gt.json', '--dt', 'bad-box.json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad-box\.json: detections\[2\]\.bbox: width must be > 0, got 0/);
    r = cli('--gt', 'gt.json', '--dt', 'bad-image.json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad-image\.json: detections\[1\]\.image_id: image 99 is not in the ground truth/);
    r = cli('--gt', 'gt.json', '--dt', 'broken.json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.json: malformed JSON at line 3, column 18: expected a value, found ","/);
    r = cli('--gt', 'missing.json', '--dt', 'dt.json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing\.json: cannot read/);
    assert.equal(r.stdout, '');
  });

  test('--iou-type segm is refused: exit 2 with "not supported"', () => {
    const r = cli('--gt', 'gt.json', '--dt', 'dt.json', '--iou-type', 'segm');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /segm is not supported/);
  });
});
