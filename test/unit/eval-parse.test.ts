// Untrusted COCO input: every problem is an EvalInputError that names the offending entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EvalInputError, evaluateCoco, parseCocoDetections, parseCocoGroundTruth } from '../../src/eval/index.js';
import { parseJsonText } from '../../src/eval/json-text.js';
import { makeGt } from './eval-helpers.js';

function throwsWith(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EvalInputError, `not an EvalInputError: ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

const detections = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ image_id: 1, category_id: 1, bbox: [i, 0, 5, 5], score: 0.5 }));

test('a detection box of zero width is named by index', () => {
  const d = detections(20);
  d[17].bbox = [1, 1, 0, 4];
  throwsWith(() => parseCocoDetections(d), 'SCHEMA', /^detections\[17\]\.bbox: width must be > 0, got 0$/);
  d[17].bbox = [1, 1, 3, -2];
  throwsWith(() => parseCocoDetections(d), 'SCHEMA', /^detections\[17\]\.bbox: height must be > 0, got -2$/);
});

test('non-finite numbers (1e999 parses to Infinity) and wrong types are named', () => {
  const parsed = parseJsonText('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1e999, 2], "score": 0.5}]');
  throwsWith(
    () => parseCocoDetections(parsed),
    'SCHEMA',
    /detections\[0\]\.bbox\[2\]: must be a finite number, got Infinity/,
  );
  throwsWith(
    () => parseCocoDetections([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: '0.9' }]),
    'SCHEMA',
    /detections\[0\]\.score: must be a finite number, got "0\.9"/,
  );
  throwsWith(
    () => parseCocoDetections([{ image_id: 1, category_id: 1, bbox: [0, 0, 1], score: 1 }]),
    'SCHEMA',
    /detections\[0\]\.bbox: must have 4 numbers/,
  );
  throwsWith(
    () => parseCocoDetections([{ image_id: 1.5, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }]),
    'SCHEMA',
    /detections\[0\]\.image_id: must be an integer id, got 1\.5/,
  );
  throwsWith(
    () => parseCocoDetections([{ category_id: 1, bbox: [0, 0, 1, 1], score: 1 }]),
    'SCHEMA',
    /detections\[0\]\.image_id: is required/,
  );
  throwsWith(() => parseCocoDetections({ annotations: [] }), 'SCHEMA', /detections: must be a JSON array/);
  // evaluateCoco re-checks numbers on objects that did not come through the parser.
  const gt = makeGt([1], [1], []);
  throwsWith(
    () => evaluateCoco(gt, [{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: NaN }]),
    'SCHEMA',
    /detections\[0\]\.score: must be finite/,
  );
});

test('detections for images or categories not in the ground truth are named', () => {
  const gt = parseCocoGroundTruth(makeGt([1, 2], [1, 3], []));
  const d = parseCocoDetections(detections(5));
  d[3].image_id = 99;
  throwsWith(
    () => evaluateCoco(gt, d),
    'REFERENCE',
    /^detections\[3\]\.image_id: image 99 is not in the ground truth$/,
  );
  d[3].image_id = 2;
  d[4].category_id = 2;
  throwsWith(
    () => evaluateCoco(gt, d),
    'REFERENCE',
    /^detections\[4\]\.category_id: category 2 is not in the ground truth$/,
  );
});

test('ground truth: shape errors, dangling references and duplicate ids are named', () => {
  const gt = makeGt(
    [1],
    [1],
    [
      [1, 1, [0, 0, 4, 4]],
      [1, 1, [5, 5, 4, 4]],
    ],
  );
  throwsWith(() => parseCocoGroundTruth({ ...gt, images: 'x' }), 'SCHEMA', /^images: must be an array/);
  throwsWith(() => parseCocoGroundTruth([]), 'SCHEMA', /^\$: must be a COCO object/);
  const noArea = structuredClone(gt);
  delete (noArea.annotations![1] as { area?: number }).area;
  throwsWith(() => parseCocoGroundTruth(noArea), 'SCHEMA', /^annotations\[1\]\.area: is required/);
  const crowd = structuredClone(gt);
  (crowd.annotations![0] as { iscrowd: unknown }).iscrowd = 2;
  throwsWith(() => parseCocoGroundTruth(crowd), 'SCHEMA', /^annotations\[0\]\.iscrowd: must be 0 or 1/);
  const dangling = structuredClone(gt);
  dangling.annotations![1].image_id = 7;
  throwsWith(() => evaluateCoco(dangling, []), 'REFERENCE', /^annotations\[1\]\.image_id: image 7 is not in images/);
  const dupAnn = structuredClone(gt);
  dupAnn.annotations![1].id = dupAnn.annotations![0].id;
  throwsWith(() => evaluateCoco(dupAnn, []), 'REFERENCE', /^annotations\[1\]\.id: duplicate annotation id 1/);
  const dupImg = makeGt([1, 4, 1], [1], []);
  throwsWith(() => evaluateCoco(dupImg, []), 'REFERENCE', /^images\[2\]\.id: duplicate id 1 \(also images\[0\]\)/);
});

test('only the first problems are listed, with a count of the rest', () => {
  const d = detections(10).map((x) => ({ ...x, score: 'high' }));
  assert.throws(
    () => parseCocoDetections(d, 'dt.json'),
    (e: unknown) => {
      assert.ok(e instanceof EvalInputError);
      const lines = e.message.split('\n');
      assert.equal(lines.length, 6);
      assert.match(lines[0], /^dt\.json: detections\[0\]\.score/);
      assert.match(lines[5], /and 5 more problems/);
      return true;
    },
  );
});

test('malformed JSON reports the file, line and column', () => {
  throwsWith(
    () => parseJsonText('[\n  {"image_id": 1,\n   "score": }\n]', 'dets.json'),
    'BAD_JSON',
    /^dets\.json: malformed JSON at line 3, column 13: /,
  );
  throwsWith(() => parseJsonText('[1, 2', 'dets.json'), 'BAD_JSON', /^dets\.json: malformed JSON at line 1, column/);
  throwsWith(() => parseJsonText('', 'empty.json'), 'BAD_JSON', /^empty\.json: malformed JSON/);
});
