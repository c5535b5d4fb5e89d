// Values JSON.parse accepts but a schema cannot report well: a "__proto__" key (dropped silently when an
// options record is copied) and a number literal that overflows to Infinity (1e309: "expected number,
// got number"). Both are named with their JSON path, in campaign files, options, graphs and COCO files.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import fc from 'fast-check';

import { createController } from '../../controllers/index.js';
import { getSpace, OptionsError } from '../../search-spaces/index.js';
import { CampaignConfigError, loadCampaignFile, resolveCampaign } from '../../src/campaign/config.js';
import { campaignController, campaignSpace } from '../../src/campaign/factory.js';
import { readCocoDetectionsFile } from '../../src/eval/files.js';
import { parseGraphText } from '../../src/graph/index.js';
import { findOverflowingNumber, findProtoKey, lineColumn } from '../../src/util/json-text.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-limits-'));
after(() => rmSync(root, { recursive: true, force: true }));

const base = {
  name: 'limits',
  space: { name: 'nas-fpn', options: {} },
  controller: { kind: 'random', options: {} },
  budget: { trials: 2 },
};
function campaignText(text: string): string {
  const f = join(root, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, text);
  return f;
}
function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof CampaignConfigError) return err.issues;
    throw err;
  }
  assert.fail('expected a CampaignConfigError');
}

describe('"__proto__" is an unknown key, with its path', () => {
  test('in space.options and controller.options of a campaign file', () => {
    for (const where of ['space', 'controller'] as const) {
      const text = JSON.stringify(base)
        .replace(`"${where}":{"name"`, `"${where}":{"name"`)
        .replace(
          where === 'space' ? '"options":{}' : '"kind":"random","options":{}',
          where === 'space'
            ? '"options":{"__proto__":{"cells":99}}'
            : '"kind":"random","options":{"__proto__":{"seed":1}}',
        );
      assert.match(text, /__proto__/);
      assert.deepEqual(
        issuesOf(() => loadCampaignFile(campaignText(text))),
        [{ path: `$.${where}.options.__proto__`, message: 'unknown key' }],
      );
    }
  });

  test('in a journal config re-validated by resolveCampaign (JSON.parse keeps the key)', () => {
    const parsed = JSON.parse(JSON.stringify(base).replace('"options":{}', '"options":{"__proto__":1,"cells":5}'));
    assert.deepEqual(
      issuesOf(() => resolveCampaign(parsed)).map((i) => i.path),
      ['$.space.options.__proto__'],
    );
  });

  test('options given directly to a space or a controller', async () => {
    const opts = JSON.parse('{"levels":{"min":3,"max":5,"__proto__":{"x":1}}}');
    assert.throws(
      () => getSpace('nas-fpn', opts),
      (err: unknown) =>
        err instanceof OptionsError &&
        err.issues[0].path === 'levels.__proto__' &&
        err.issues[0].message === 'unknown key',
    );
    await assert.rejects(
      createController('random', getSpace('nas-fpn'), JSON.parse('{"__proto__":{}}'), 1),
      (err: unknown) => err instanceof OptionsError && err.issues[0].path === '__proto__',
    );
  });

  test("through the campaign factory, the path is the campaign file's", async () => {
    const cfg = resolveCampaign(base);
    const withProto = { ...cfg, controller: { ...cfg.controller, options: JSON.parse('{"__proto__":{}}') } };
    await assert.rejects(
      campaignController(withProto, campaignSpace(cfg)),
      (err: unknown) => err instanceof CampaignConfigError && err.issues[0].path === '$.controller.options.__proto__',
    );
  });

  test('in a graph file (its outputs and meta are records)', () => {
    const g = {
      format: 'pyramid-graph/1',
      name: 'g',
      levels: { min: 3, max: 3 },
      channels: 8,
      repeats: 1,
      nodes: [{ id: 'a', level: 3, op: 'sum', inputs: ['C3'] }],
      outputs: { P3: 'a' },
    };
    const text = JSON.stringify(g).replace('"outputs":{', '"outputs":{"__proto__":"a",');
    const r = parseGraphText(text);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => e.path),
      ['outputs.__proto__'],
    );
  });

  test('findProtoKey: nested in arrays and objects, escaped or not', () => {
    assert.deepEqual(findProtoKey(JSON.parse('{"a":[1,{"b":{"\\u005f_proto__":0}}]}')), ['a', 1, 'b', '__proto__']);
    assert.equal(findProtoKey(JSON.parse('{"proto":1,"__proto":2,"constructor":3}')), undefined);
  });
});

describe('number literals that overflow to Infinity', () => {
  test('campaign file: "must be a finite number (1e309 overflows)" at its path, line and column', () => {
    const text =
      '{\n  "name": "limits",\n  "space": {"name": "nas-fpn"},\n  "controller": {"kind": "random"},\n  "budget": {"trials": 2},\n  "proxy": {"channels": 1e309}\n}\n';
    const issues = issuesOf(() => loadCampaignFile(campaignText(text)));
    assert.deepEqual(issues, [
      { path: '$.proxy.channels', message: 'must be a finite number (1e309 overflows) at line 6, column 25' },
    ]);
  });

  test('a campaign object holding Infinity (not from text): the schema message says what is wrong', () => {
    const issues = issuesOf(() =>
      resolveCampaign({ ...base, proxy: { channels: Infinity }, objective: { w: -Infinity } }),
    );
    assert.deepEqual(issues.map((i) => i.path).sort(), ['$.objective.w', '$.proxy.channels']);
    for (const i of issues) assert.match(i.message, /must be a finite number, got -?Infinity/);
  });

  test('space options holding Infinity: the same message', () => {
    assert.throws(
      () => getSpace('nas-fpn', { cells: Infinity }),
      (err: unknown) => err instanceof OptionsError && /cells: must be a finite number, got Infinity/.test(err.message),
    );
  });

  test('graph file: channels 1e309', () => {
    const text =
      '{"format":"pyramid-graph/1","name":"g","levels":{"min":3,"max":3},"channels":1e309,"repeats":1,"nodes":[],"outputs":{}}';
    const r = parseGraphText(text);
    assert.ok(!r.ok);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].path, 'channels');
    assert.match(r.errors[0].message, /^must be a finite number \(1e309 overflows\) at 1:\d+$/);
  });

  test('COCO detections: the entry and field', async () => {
    const f = join(root, 'dt.json');
    writeFileSync(
      f,
      '[{"image_id":1,"category_id":1,"bbox":[0,0,10,10],"score":0.5},\n {"image_id":1,"category_id":1,"bbox":[0,0,-1e400,10],"score":0.5}]',
    );
    await assert.rejects(
      readCocoDetectionsFile(f),
      /dt\.json: detections\[1\]\.bbox\[2\]: must be a finite number \(-1e400 overflows\) at line 2, column 44/,
    );
  });

  test('findOverflowingNumber: a string after an empty object is a value, not a key', () => {
    assert.deepEqual(findOverflowingNumber('[{}, "x", 1e999]')?.path, [2]);
    assert.deepEqual(findOverflowingNumber('{"a": {}, "b": "s", "c": [[], "t", -1e999]}')?.path, ['c', 2]);
  });

  test('long literals are shortened in the message', () => {
    const text = `{"channels": ${'9'.repeat(400)}}`;
    const r = parseGraphText(text);
    assert.ok(!r.ok && /must be a finite number \(9999999999…9999999999 overflows\)/.test(r.errors[0].message));
  });

  test('findOverflowingNumber: finds an injected overflow at its path and offset, and nothing in finite JSON (property)', () => {
    const key = fc.string({ maxLength: 6 });
    const leaf = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.string({ maxLength: 8 }),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
      ),
    }));
    const huge = fc.oneof(
      fc.constantFrom('1e309', '-1E+400', '2e308', '1.8e308', '-9e999'),
      fc.nat({ max: 50 }).map((k) => '9'.repeat(310 + k)),
    );
    fc.assert(
      fc.property(tree, fc.array(fc.nat(), { maxLength: 6 }), huge, (doc, picks, literal) => {
        const text = JSON.stringify(doc);
        assert.equal(findOverflowingNumber(text, doc), undefined, 'JSON.stringify never writes an overflowing literal');
        // Walk down `picks` to a container (or stop at a leaf) and put the literal there.
        const path: (string | number)[] = [];
        let node: unknown = doc;
        let holder: { set(v: string): void } = { set: () => undefined };
        const marker = '\u0000HUGE\u0000';
        let root: unknown = marker;
        for (const p of picks) {
          if (Array.isArray(node) && node.length > 0) {
            const i = p % node.length;
            const arr = node;
            holder = { set: (v) => (arr[i] = v) };
            path.push(i);
            node = arr[i];
          } else if (node && typeof node === 'object' && Object.keys(node).length > 0) {
            const keys = Object.keys(node);
            const k = keys[p % keys.length];
            const obj = node as Record<string, unknown>;
            holder = { set: (v) => (obj[k] = v) };
            path.push(k);
            node = obj[k];
          } else break;
        }
        if (path.length > 0) {
          holder.set(marker);
          root = doc;
        }
        const withMarker = JSON.stringify(root);
        const injected = withMarker.replace(JSON.stringify(marker), literal);
        const found = findOverflowingNumber(injected, JSON.parse(injected));
        assert.ok(found, injected);
        assert.deepEqual(found.path, path);
        assert.equal(found.literal, literal);
        assert.equal(injected.slice(found.offset, found.offset + literal.length), literal);
        assert.ok(lineColumn(injected, found.offset).line >= 1);
      }),
    );
  });
});
