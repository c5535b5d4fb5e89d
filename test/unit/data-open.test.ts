// openDataset: the dataset exactly as a trial trains and is scored on it, from a proxy task's data keys.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { createShapesDataset, DatasetError, DEFAULT_LAYOUT } from '../../src/data/index.js';
import { openDataset } from '../../src/data/open.js';
import { resolveProxyTask } from '../../src/trial/proxy-task.js';

describe('openDataset', () => {
  test("shapes: the task's object size and count override the default layout, sample for sample", async () => {
    const task = resolveProxyTask({
      dataset: 'shapes',
      imageSize: 48,
      trainImages: 5,
      heldoutImages: 4,
      seed: 9,
      minObjectSize: 12,
      maxObjects: 2,
    });
    const opened = await openDataset(task);
    const expected = createShapesDataset({
      imageSize: 48,
      trainImages: 5,
      heldoutImages: 4,
      seed: 9,
      layout: { ...DEFAULT_LAYOUT, minSize: 12, maxObjects: 2 },
    });
    assert.equal(opened.name, 'shapes');
    for (const split of ['train', 'heldout'] as const) {
      assert.equal(opened.split(split).count, expected.split(split).count);
      for (let i = 0; i < opened.split(split).count; i++) {
        const [a, b] = [opened.split(split).get(i), expected.split(split).get(i)];
        assert.deepEqual(a.pixels, b.pixels, `${split}[${i}] pixels`);
        assert.deepEqual(a.boxes, b.boxes, `${split}[${i}] boxes`);
        assert.ok(a.boxes.length <= 2, `${split}[${i}] has at most maxObjects objects`);
      }
    }
    // The difficulty keys do reach the data: the default object size gives other images.
    const easier = await openDataset({ ...task, minObjectSize: DEFAULT_LAYOUT.minSize });
    assert.notDeepEqual(easier.split('train').get(0).pixels, opened.split('train').get(0).pixels);
  });

  test('bad data keys are DatasetErrors naming the option or the folder', async () => {
    const task = resolveProxyTask({ dataset: 'shapes', trainImages: 1, heldoutImages: 1 });
    await assert.rejects(
      openDataset({ ...task, imageSize: 4 }),
      (e) => e instanceof DatasetError && /imageSize/.test(e.message),
    );
    const missing = join(tmpdir(), `pyramid-nas-no-such-dir-${process.pid}`);
    await assert.rejects(
      openDataset({ ...task, dataset: 'fashion-mnist-scenes', dataDir: missing }),
      (e) => e instanceof DatasetError && e.code === 'MISSING_FILE' && e.message.includes(missing),
    );
  });
});
