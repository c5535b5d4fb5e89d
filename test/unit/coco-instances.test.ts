// One COCO-instances validator for the dataset loader and the evaluator: the same problem is named in the
// same words at the same place by both (the loader under `$`, the evaluator relative to the document);
// what only one of them needs (image files, explicit ids and areas) is checked for that one alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { checkCocoDocument, KEPT_ISSUES } from '../../src/data/coco-instances.js';
import { checkCocoInstances } from '../../src/data/coco-json.js';
import { DatasetError } from '../../src/data/errors.js';
import { EvalInputError, parseCocoGroundTruth } from '../../src/eval/index.js';

function doc(): any {
  return {
    info: { year: 2017 },
    images: [
      { id: 4, file_name: 'a.png', width: 64, height: 48 },
      { id: 9, file_name: 'b.png', width: 32, height: 32 },
    ],
    annotations: [
      { id: 1, image_id: 4, category_id: 3, bbox: [1, 2, 10, 20], area: 200, iscrowd: 0, segmentation: [[0, 0, 1, 1]] },
      { id: 2, image_id: 9, category_id: 7, bbox: [0, 0, 5, 5], area: 25, iscrowd: 1 },
    ],
    categories: [
      { id: 7, name: 'cat' },
      { id: 3, name: 'dog' },
    ],
  };
}

/** The loader's message for `d`, without the file prefix. */
function loaderSays(d: unknown): string {
  try {
    checkCocoInstances(d, 'i.json');
  } catch (err) {
    assert.ok(err instanceof DatasetError, String(err));
    assert.equal(err.code, 'BAD_JSON');
    return err.message.replace(/^i\.json: /, '');
  }
  return 'ok';
}

/** The evaluator's first message for `d`. */
function evaluatorSays(d: unknown): string {
  try {
    parseCocoGroundTruth(d);
  } catch (err) {
    assert.ok(err instanceof EvalInputError, String(err));
    assert.equal(err.code, 'SCHEMA');
    return err.message.split('\n')[0];
  }
  return 'ok';
}

describe('COCO instances: one validator', () => {
  test('a valid document passes both readers', () => {
    assert.equal(loaderSays(doc()), 'ok');
    assert.equal(evaluatorSays(doc()), 'ok');
  });

  const shared: Array<[string, (d: any) => void, string]> = [
    [
      'a box number that is not a number',
      (d) => (d.annotations[1].bbox[2] = 'x'),
      'annotations[1].bbox[2]: must be a finite number, got "x"',
    ],
    [
      'a box of three numbers',
      (d) => (d.annotations[0].bbox = [0, 0, 1]),
      'annotations[0].bbox: must have 4 numbers [x, y, w, h]',
    ],
    [
      'a negative box height',
      (d) => (d.annotations[0].bbox = [0, 0, 1, -1]),
      'annotations[0].bbox: height must be >= 0, got -1',
    ],
    ['iscrowd 2', (d) => (d.annotations[0].iscrowd = 2), 'annotations[0].iscrowd: must be 0 or 1'],
    ['a negative area', (d) => (d.annotations[1].area = -3), 'annotations[1].area: must be >= 0'],
    ['a fractional image id', (d) => (d.images[1].id = 1.5), 'images[1].id: must be an integer id, got 1.5'],
    ['a missing category_id', (d) => delete d.annotations[0].category_id, 'annotations[0].category_id: is required'],
    ['images not a list', (d) => (d.images = 'x'), 'images: must be an array'],
  ];
  for (const [what, change, said] of shared) {
    test(`the same words from both readers: ${what}`, () => {
      const d = doc();
      change(d);
      assert.equal(evaluatorSays(d), said);
      assert.equal(loaderSays(d), `$.${said}`);
    });
  }

  test('the document itself', () => {
    assert.equal(evaluatorSays([]), '$: must be a COCO object {images, annotations, categories}');
    assert.equal(loaderSays([]), '$: must be a COCO object {images, annotations, categories}');
  });

  test('the loader reads image files: file names and sizes are required of it alone', () => {
    const d = doc();
    delete d.images[0].file_name;
    d.images[1].width = 0;
    assert.equal(loaderSays(d), '$.images[0].file_name: is required');
    assert.equal(evaluatorSays(d), 'ok');
  });

  test('the evaluator needs ids and areas given; the loader fills them in', () => {
    const d = doc();
    delete d.annotations[1].area;
    delete d.annotations[1].id;
    delete d.annotations[1].iscrowd;
    assert.equal(evaluatorSays(d), 'annotations[1].id: is required');
    const got = checkCocoInstances(d, 'i.json');
    assert.deepEqual(got.annotations[1], {
      id: 2,
      image_id: 9,
      category_id: 7,
      bbox: [0, 0, 5, 5],
      area: 25,
      iscrowd: 0,
    });
    assert.deepEqual(
      got.categories.map((c) => c.id),
      [3, 7],
    );
  });

  test('the loader cross-checks ids; the evaluator leaves that to evaluateCoco', () => {
    const d = doc();
    d.annotations[0].image_id = 42;
    assert.equal(loaderSays(d), '$.annotations[0].image_id: no image with id 42');
    assert.equal(evaluatorSays(d), 'ok');
  });

  test('every problem is counted, a few are listed, and a broken file is not held whole in memory', () => {
    const d = doc();
    d.annotations = Array.from({ length: 300 }, (_, i) => ({
      id: i + 1,
      image_id: 4,
      category_id: 3,
      bbox: [0, 0, 1, 1],
      area: 1,
      iscrowd: 2,
    }));
    assert.throws(
      () => parseCocoGroundTruth(d),
      (err: unknown) => {
        assert.ok(err instanceof EvalInputError);
        const lines = err.message.split('\n');
        assert.deepEqual(lines.slice(0, 2), [
          'annotations[0].iscrowd: must be 0 or 1',
          'annotations[1].iscrowd: must be 0 or 1',
        ]);
        assert.equal(lines.at(-1), '... and 295 more problems');
        return true;
      },
    );
    const r = checkCocoDocument(d, 'evaluator');
    assert.ok(!r.ok && r.total === 300 && r.issues.length === KEPT_ISSUES);
  });

  test('unknown keys are dropped from annotations (segmentation is not kept)', () => {
    const gt = parseCocoGroundTruth(doc());
    assert.deepEqual(Object.keys(gt.annotations[0]).sort(), [
      'area',
      'bbox',
      'category_id',
      'id',
      'image_id',
      'iscrowd',
    ]);
  });
});
