// src/util/json-text.ts at scale and with invisible characters: findProtoKey stays linear at the nesting
// depth a 1 MB file allows, a BOM (or any character that prints as nothing) is named in messages rather
// than shown, and the graph, campaign, COCO-eval and COCO-dataset parsers agree about a leading BOM.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { CampaignConfigError, loadCampaignFile } from '../../src/campaign/config.js';
import { readCocoInstances } from '../../src/data/coco-json.js';
import { EvalInputError } from '../../src/eval/errors.js';
import { readCocoDetectionsFile } from '../../src/eval/files.js';
import { parseJsonText } from '../../src/eval/json-text.js';
import { parseGraphText } from '../../src/graph/parse-file.js';
import { describeCharAt, findProtoKey, jsonSyntaxReport, locateJsonError, stripBom } from '../../src/util/json-text.js';

const root = mkdtempSync(join(tmpdir(), 'pnas-json-bom-'));
after(() => rmSync(root, { recursive: true, force: true }));
const BOM = '\ufeff';

describe('findProtoKey at depth', () => {
  // A 1 MB file nests 200,000 deep. A walk that copies the path at every level does 2·10^10 element
  // copies here (minutes); a linear one is done in well under a second. The timeout is only a hang guard
  // that turns the quadratic walk into a failure instead of a stalled run; it is no timing target.
  const depth = 200_000;

  test('200,000 levels of objects: the whole path, found once', { timeout: 60_000 }, () => {
    let v: unknown = JSON.parse('{"__proto__": 1}');
    for (let i = 0; i < depth; i++) v = { a: v };
    const path = findProtoKey(v);
    assert.equal(path?.length, depth + 1);
    assert.ok(path!.slice(0, depth).every((k) => k === 'a'));
    assert.equal(path![depth], '__proto__');
  });

  test(
    '200,000 levels of arrays, siblings before and after: indices in the path, depth first in key order',
    { timeout: 60_000 },
    () => {
      let v: unknown = [0, JSON.parse('{"x": {"__proto__": 1}}'), JSON.parse('{"__proto__": 2}')];
      for (let i = 0; i < depth; i++) v = [1, 'b', v, { c: [] }];
      const path = findProtoKey(v);
      assert.equal(path?.length, depth + 3);
      assert.ok(path!.slice(0, depth).every((k) => k === 2));
      assert.deepEqual(path!.slice(depth), [1, 'x', '__proto__']);
      // Without any: undefined, after visiting everything.
      let clean: unknown = { z: 1 };
      for (let i = 0; i < depth; i++) clean = [clean, { y: [i] }];
      assert.equal(findProtoKey(clean), undefined);
    },
  );

  test('a graph file of 1 MB nesting 200,000 deep is refused with the key path', { timeout: 60_000 }, () => {
    const text = '{"a":'.repeat(depth) + '{"__proto__": 1}' + '}'.repeat(depth);
    const r = parseGraphText(text);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.errors[0].message, 'unknown key "__proto__"');
    assert.ok(r.errors[0].path.endsWith('a.a.__proto__'));
  });
});

describe('invisible characters in messages', () => {
  test('a BOM is named, not shown', () => {
    assert.equal(describeCharAt(`${BOM}{}`, 0), 'U+FEFF (byte-order mark)');
    assert.deepEqual(locateJsonError(`[1,${BOM}2]`), {
      offset: 3,
      reason: 'expected a value, found U+FEFF (byte-order mark)',
    });
    // A BOM that is not the first character (here after a newline) is not stripped: it is an error, named.
    const r = jsonSyntaxReport(`\n${BOM}{}`, new Error('V8 message'));
    assert.deepEqual(r, { line: 2, column: 1, reason: 'expected a value, found U+FEFF (byte-order mark)' });
    assert.ok(!r.reason.includes(BOM));
  });

  test('other characters that print as nothing or as a space; visible ones stay quoted', () => {
    assert.equal(describeCharAt('\u00a0', 0), 'U+00A0 (no-break space)');
    assert.equal(describeCharAt('\u200b', 0), 'U+200B (zero-width space)');
    assert.equal(describeCharAt('\u0007', 0), 'U+0007');
    assert.equal(describeCharAt('\udc00', 0), 'U+DC00');
    assert.equal(describeCharAt('}', 0), '"}"');
    assert.equal(describeCharAt(' ', 0), '" "');
    assert.equal(describeCharAt('é', 0), '"é"');
    assert.equal(describeCharAt('😀', 0), '"😀"');
    assert.equal(describeCharAt('', 0), 'end of input');
  });

  test('stripBom removes one leading BOM only', () => {
    assert.equal(stripBom(`${BOM}{}`), '{}');
    assert.equal(stripBom(`${BOM}${BOM}{}`), `${BOM}{}`);
    assert.equal(stripBom(`{"a":"${BOM}"}`), `{"a":"${BOM}"}`);
  });
});

describe('a leading BOM, in all three parsers', () => {
  test('COCO eval JSON with a BOM parses, like graph and campaign files', () => {
    assert.deepEqual(parseJsonText(`${BOM}[{"a": 1}]`, 'dt.json'), [{ a: 1 }]);
    const graph = parseGraphText(`${BOM}{"format": "pyramid-graph/1"}`);
    assert.ok(graph.ok || graph.errors.every((e) => e.code !== 'JSON'));
    const f = join(root, 'campaign.json');
    writeFileSync(
      f,
      `${BOM}${JSON.stringify({ name: 'bom', space: { name: 'nas-fpn' }, controller: { kind: 'random' }, budget: { trials: 1 } })}`,
    );
    assert.equal(loadCampaignFile(f).name, 'bom');
  });

  test('a syntax error after a BOM is placed and worded the same by all three (columns count without the BOM)', () => {
    const text = `${BOM}{\n  "a": }`;
    assert.throws(
      () => parseJsonText(text, 'dt.json'),
      (e: unknown) =>
        e instanceof EvalInputError &&
        e.message === 'dt.json: malformed JSON at line 2, column 8: expected a value, found "}"',
    );
    const graph = parseGraphText(text);
    assert.ok(
      !graph.ok && graph.errors[0].message === 'invalid JSON at 2:8: expected a value, found "}"',
      JSON.stringify(graph),
    );
    const f = join(root, 'broken.json');
    writeFileSync(f, text);
    assert.throws(
      () => loadCampaignFile(f),
      (e: unknown) =>
        e instanceof CampaignConfigError &&
        e.issues[0].message === 'not valid JSON at line 2, column 8: expected a value, found "}"',
    );
  });

  test('a COCO instances file under --data reads the same way: BOM ignored, errors placed and worded alike', () => {
    const f = join(root, 'instances.json');
    writeFileSync(
      f,
      BOM +
        JSON.stringify({
          images: [{ id: 1, file_name: 'a.png', width: 4, height: 4 }],
          annotations: [],
          categories: [{ id: 1, name: 'x' }],
        }),
    );
    assert.equal(readCocoInstances(f).images.length, 1);
    writeFileSync(f, `${BOM}{\n  "a": }`);
    assert.throws(
      () => readCocoInstances(f),
      (e: unknown) =>
        e instanceof Error && e.message === `${f}: not valid JSON at line 2, column 8: expected a value, found "}"`,
    );
  });

  test('a COCO detections file with a BOM: an overflowing number is placed without counting the BOM', async () => {
    const f = join(root, 'dt.json');
    writeFileSync(f, `${BOM}[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1e999, 2], "score": 0.5}]`);
    await assert.rejects(
      readCocoDetectionsFile(f),
      (e: unknown) =>
        e instanceof EvalInputError && /detections\[0\]\.bbox\[2\]: .* at line 1, column 51$/.test(e.message),
    );
  });
});
