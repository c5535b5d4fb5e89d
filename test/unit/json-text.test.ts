// src/util/json-text.ts on its own: where a JSON text goes wrong (offset, reason, line:column), number
// literals that overflow to Infinity (and the message for them), and `__proto__` keys, with the paths the
// callers print.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import {
  findOverflowingNumber,
  findProtoKey,
  holdsNonFinite,
  lineColumn,
  locateJsonError,
  overflowMessage,
} from '../../src/util/json-text.js';

/** JSON.parse's verdict, the reference the locator must agree with. */
function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('lineColumn', () => {
  test('is 1-based and counts columns from the last newline', () => {
    const text = 'ab\ncde\n\nf';
    assert.deepEqual(lineColumn(text, 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn(text, 2), { line: 1, column: 3 }, 'the newline itself is on the line it ends');
    assert.deepEqual(lineColumn(text, 3), { line: 2, column: 1 });
    assert.deepEqual(lineColumn(text, 5), { line: 2, column: 3 });
    assert.deepEqual(lineColumn(text, 7), { line: 3, column: 1 }, 'an empty line');
    assert.deepEqual(lineColumn(text, 8), { line: 4, column: 1 });
  });

  test('CRLF line ends: the column restarts after the LF, the CR belongs to the line it ends', () => {
    const text = '{\r\n  "a": 1,\r\n  "b": ]\r\n}';
    const at = text.indexOf(']');
    assert.deepEqual(lineColumn(text, at), { line: 3, column: 8 });
    assert.deepEqual(lineColumn(text, text.indexOf('\r')), { line: 1, column: 2 });
    assert.deepEqual(lineColumn(text, text.indexOf('\r') + 2), { line: 2, column: 1 });
  });

  test('the end of the text (an error "at end of input") is one past the last character', () => {
    assert.deepEqual(lineColumn('', 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn('[1,\n', 4), { line: 2, column: 1 });
    assert.deepEqual(lineColumn('{"a":', 5), { line: 1, column: 6 });
  });

  test('a byte-order mark takes a column, so callers strip it before locating', () => {
    assert.deepEqual(lineColumn('\uFEFF{]', 2), { line: 1, column: 3 });
    assert.deepEqual(lineColumn('{]', 1), { line: 1, column: 2 });
  });

  test('agrees with a line split for every offset (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', ' ', '\n', '\r\n', '{', 'é'), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        for (let offset = 0; offset <= text.length; offset++) {
          const before = text.slice(0, offset).split('\n');
          assert.deepEqual(
            lineColumn(text, offset),
            { line: before.length, column: before[before.length - 1].length + 1 },
            `offset ${offset} of ${JSON.stringify(text)}`,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('locateJsonError', () => {
  test('undefined for valid documents: scalars, nesting, escapes, every JSON whitespace (CRLF too)', () => {
    for (const text of [
      '0',
      '-0',
      '1.5e-3',
      '-12E+4',
      'true',
      'false',
      'null',
      '""',
      '"\\u00e9\\n\\"\\\\\\/"',
      '"é ☃ 😀"',
      '[]',
      '{}',
      ' [ ] ',
      '{"a":{"b":[1,{"c":[]}]},"d":null}',
      '{\r\n\t"a" :\r\n [ 1 , 2 ]\r\n}\r\n',
    ]) {
      assert.equal(parses(text), true, text);
      assert.equal(locateJsonError(text), undefined, text);
    }
  });

  test('deep nesting is walked without recursion (no stack overflow, no depth limit)', () => {
    const depth = 100_000;
    const arrays = '['.repeat(depth) + ']'.repeat(depth);
    assert.equal(locateJsonError(arrays), undefined);
    const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    assert.equal(locateJsonError(objects), undefined);
    const broken = '['.repeat(depth) + '1,' + ']'.repeat(depth);
    assert.deepEqual(locateJsonError(broken), { offset: depth + 2, reason: 'expected a value, found "]"' });
  });

  test('names the first character that cannot continue, with a reason', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['', 0, /expected a value, found end of input/],
      ['   ', 3, /expected a value, found end of input/],
      ['{"a":1,}', 7, /expected a property name in double quotes, found "}"/],
      ['[1,]', 3, /expected a value, found "]"/],
      ['{"a" 1}', 5, /expected ':' after a property name, found "1"/],
      ["{'a':1}", 1, /expected a property name in double quotes/],
      ['[1 2]', 3, /expected ',' or ']' in an array, found "2"/],
      ['{"a":1 "b":2}', 7, /expected ',' or '}' in an object/],
      ['{"a":1]', 6, /expected ',' or '}' in an object, found "]"/],
      ['"abc', 4, /unterminated string/],
      ['"\\x"', 2, /bad escape in string/],
      ['"\\u12G4"', 5, /bad \\u escape in string/],
      ['"a\tb"', 2, /unescaped control character in string/],
      ['-', 0, /invalid number/],
      ['+1', 0, /expected a value, found "\+"/],
      ['01', 1, /unexpected "1" after the JSON value/],
      ['.5', 0, /expected a value/],
      ['tru', 3, /invalid literal \(expected true\), found end of input/],
      ['nul1', 3, /invalid literal \(expected null\), found "1"/],
      ['NaN', 0, /expected a value, found "N"/],
      ['{} {}', 3, /unexpected "{" after the JSON value/],
      ['[1] x', 4, /unexpected "x" after the JSON value/],
    ];
    for (const [text, offset, reason] of cases) {
      assert.equal(parses(text), false, `${JSON.stringify(text)} should not parse`);
      const p = locateJsonError(text);
      assert.ok(p, `no problem found in ${JSON.stringify(text)}`);
      assert.equal(p.offset, offset, `offset in ${JSON.stringify(text)}: ${p.reason}`);
      assert.match(p.reason, reason, JSON.stringify(text));
    }
  });

  test('an error deep in a nested CRLF document: offset → line:column points at it', () => {
    const text = '{\r\n  "outer": {\r\n    "list": [1, 2,\r\n      {"k": tru}\r\n    ]\r\n  }\r\n}\r\n';
    const p = locateJsonError(text);
    assert.ok(p);
    assert.match(p.reason, /invalid literal \(expected true\), found "}"/);
    assert.deepEqual(lineColumn(text, p.offset), { line: 4, column: 16 });
    assert.equal(text[p.offset], '}');
  });

  test('a byte-order mark is not JSON whitespace: offset 0 (as JSON.parse); stripped, the text is valid', () => {
    const text = '\uFEFF{"a": 1}';
    assert.equal(parses(text), false);
    assert.equal(locateJsonError(text)?.offset, 0);
    assert.equal(locateJsonError(text.slice(1)), undefined);
    // With the BOM stripped, a later error's line:column is where an editor shows it.
    const bad = '\uFEFF{\n  "a": 1,\n}';
    const body = bad.slice(1);
    assert.deepEqual(lineColumn(body, locateJsonError(body)!.offset), { line: 3, column: 1 });
  });

  test('a valid document cut short fails exactly at the cut (outside number literals) (property)', () => {
    // JSON.stringify output with spaces and CRLF put between its tokens.
    const doc = fc
      .tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom('', ' ', '\r\n', '\t'))
      .map(([v, ws]) => JSON.stringify(v, null, 1).replace(/\n/g, ws === '' ? '' : ws + '\n'));
    fc.assert(
      fc.property(doc, fc.nat(), (text, r) => {
        const cut = r % (text.length + 1);
        const prefix = text.slice(0, cut);
        const p = locateJsonError(prefix);
        assert.equal(p === undefined, parses(prefix), `verdict on ${JSON.stringify(prefix)}: ${JSON.stringify(p)}`);
        if (!p) return;
        assert.ok(p.offset <= cut, `offset ${p.offset} past the cut ${cut}`);
        // A number literal may stop early ("1." fails at "."); anything else can only fail at the end.
        if (!/[-+.eE0-9]$/.test(prefix)) assert.equal(p.offset, cut, `${JSON.stringify(prefix)}: ${p.reason}`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('findOverflowingNumber', () => {
  test('finds a literal JSON.parse turns into ±Infinity, with its offset and path', () => {
    const text = '{"a": [1, 2, 1e400]}';
    assert.deepEqual(findOverflowingNumber(text), { offset: text.indexOf('1e400'), literal: '1e400', path: ['a', 2] });
    assert.deepEqual(findOverflowingNumber('-1E309')?.path, []);
    assert.equal(findOverflowingNumber('-1E309')?.literal, '-1E309');
    assert.deepEqual(findOverflowingNumber('1' + '0'.repeat(400))?.path, [], 'a 401-digit integer');
  });

  test('paths through nested objects and arrays, after closed siblings, with escaped and empty keys', () => {
    assert.deepEqual(findOverflowingNumber('[{"a": [0, {"b": 1E999}]}]')?.path, [0, 'a', 1, 'b']);
    assert.deepEqual(findOverflowingNumber('{"a": {"x": [1, 2]}, "b": 1e999}')?.path, ['b']);
    assert.deepEqual(findOverflowingNumber('[[1, [2]], {"k": 3}, 1e999]')?.path, [2]);
    assert.deepEqual(findOverflowingNumber('{"a\\"b": 1e999}')?.path, ['a"b']);
    assert.deepEqual(findOverflowingNumber('{"": {"\\u0041": 1e999}}')?.path, ['', 'A']);
    assert.deepEqual(findOverflowingNumber('{\r\n  "p": {\r\n    "channels": 1e309\r\n  }\r\n}')?.path, [
      'p',
      'channels',
    ]);
  });

  test('the first overflowing literal wins', () => {
    const text = '{"a": 1e500, "b": 2e600}';
    assert.equal(findOverflowingNumber(text)?.literal, '1e500');
  });

  test('undefined when nothing overflows: large finite numbers, underflow to 0, numbers inside strings', () => {
    for (const text of [
      '1e308',
      '1.7976931348623157e308',
      '1e-999',
      '{"x": "1e999"}',
      '{"1e999": 1}',
      '[1, 2, 3]',
      'true',
      '""',
    ]) {
      assert.equal(findOverflowingNumber(text), undefined, text);
    }
  });

  test('agrees with JSON.parse on which documents hold a non-finite number (property)', () => {
    const big = fc.constantFrom('1e309', '-2E400', '9'.repeat(320), '1e308', '-1e-400', '0.5');
    const arb = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        big,
        fc.jsonValue({ maxDepth: 0 }).map((v) => JSON.stringify(v)),
        tie('array'),
        tie('object'),
      ),
      array: fc.array(tie('value') as fc.Arbitrary<string>, { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
      object: fc
        .array(fc.tuple(fc.string({ maxLength: 4 }), tie('value') as fc.Arbitrary<string>), { maxLength: 4 })
        .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`),
    })).value as fc.Arbitrary<string>;
    const hasNonFinite = (v: unknown): boolean =>
      typeof v === 'number'
        ? !Number.isFinite(v)
        : v !== null && typeof v === 'object' && Object.values(v).some(hasNonFinite);
    fc.assert(
      fc.property(arb, (text) => {
        const value = JSON.parse(text) as unknown;
        const found = findOverflowingNumber(text);
        // With duplicate keys JSON.parse keeps the last value only, so compare on texts without them.
        if (/"((?:[^"\\]|\\.)*)":[^]*"\1":/.test(text)) return;
        assert.equal(found !== undefined, hasNonFinite(value), text);
        if (!found) return;
        // The path leads to that literal's value in the parsed document.
        const at = found.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
        assert.equal(at, Number(found.literal), `${text} at ${JSON.stringify(found.path)}`);
        assert.equal(text.slice(found.offset, found.offset + found.literal.length), found.literal);
      }),
      { numRuns: 500 },
    );
  });
});

describe('holdsNonFinite and overflowMessage', () => {
  test('holdsNonFinite: ±Infinity anywhere in a parsed value, at any depth', () => {
    assert.equal(holdsNonFinite(JSON.parse('{"a": [1, {"b": 1e999}]}')), true);
    assert.equal(holdsNonFinite(JSON.parse('[-1e999]')), true);
    assert.equal(holdsNonFinite(Infinity), true);
    for (const v of [
      null,
      0,
      'Infinity',
      '1e999',
      [],
      {},
      JSON.parse('{"a": [1.7976931348623157e308, -0, "x", null, true]}'),
    ]) {
      assert.equal(holdsNonFinite(v), false, JSON.stringify(v));
    }
    const depth = 100_000;
    assert.equal(holdsNonFinite(JSON.parse('['.repeat(depth) + '1e400' + ']'.repeat(depth))), true);
  });

  test("findOverflowingNumber gives the same answer with the caller's parsed value as without", () => {
    for (const text of ['{"a": [1, 2e999]}', '[1, 2]', '{"k": {"x": -1e400}}']) {
      assert.deepEqual(findOverflowingNumber(text, JSON.parse(text)), findOverflowingNumber(text), text);
    }
  });

  test('overflowMessage names the literal, eliding the middle of a long one', () => {
    assert.equal(
      overflowMessage({ offset: 9, literal: '1e309', path: ['channels'] }),
      'must be a finite number (1e309 overflows)',
    );
    const long = '1' + '0'.repeat(400);
    const m = overflowMessage({ offset: 0, literal: long, path: [] });
    assert.equal(m, `must be a finite number (${'1' + '0'.repeat(9)}…${'0'.repeat(10)} overflows)`);
  });
});

describe('findProtoKey', () => {
  test('finds an own __proto__ key that JSON.parse kept, at any depth', () => {
    assert.deepEqual(findProtoKey(JSON.parse('{"__proto__": {}}')), ['__proto__']);
    assert.deepEqual(findProtoKey(JSON.parse('{"a": {"__proto__": {"x": 1}}}')), ['a', '__proto__']);
    assert.deepEqual(findProtoKey(JSON.parse('[1, [2, {"b": {"__proto__": null}}]]')), [1, 1, 'b', '__proto__']);
  });

  test('undefined without one: plain values, inherited prototypes, a "__proto__" string value', () => {
    for (const v of [
      null,
      1,
      'x',
      [],
      {},
      JSON.parse('{"a": "__proto__", "b": ["__proto__"]}'),
      Object.create({ __proto__: 1 }),
      { ['__proto' + 'x']: 1 },
    ]) {
      assert.equal(findProtoKey(v), undefined, JSON.stringify(v));
    }
    // An object literal's __proto__ sets the prototype: not an own key.
    assert.equal(findProtoKey({ __proto__: { a: 1 } }), undefined);
  });

  test('deep nesting without recursion', () => {
    const depth = 15_000; // deeper than a recursive walk survives
    const text = '{"a":'.repeat(depth) + '{"__proto__": 1}' + '}'.repeat(depth);
    const path = findProtoKey(JSON.parse(text));
    assert.equal(path?.length, depth + 1);
    assert.equal(path?.[depth], '__proto__');
  });
});
