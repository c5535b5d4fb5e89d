// Where a JSON text goes wrong, as line:column. V8's JSON.parse messages name a position only for some
// errors ("Unexpected token ']'" names none), so this small scanner walks the grammar and stops at the
// first byte that cannot continue a valid document.

export interface TextLocation { offset: number; line: number; column: number }

/** 1-based line and column of a character offset. */
export function locate(text: string, offset: number): TextLocation {
  let line = 1, lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') { line++; lineStart = i + 1; }
  return { offset, line, column: offset - lineStart + 1 };
}

class Stop { constructor(readonly offset: number) {} }

/** Offset of the first syntax error of `text`, or undefined when it is valid JSON. */
export function firstSyntaxError(text: string): number | undefined {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const fail = (): never => { throw new Stop(i); };
  const expect = (ch: string) => { if (text[i] !== ch) fail(); i++; };
  const literal = (word: string) => { for (const ch of word) expect(ch); };
  const string = () => {
    expect('"');
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return; }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === 'u') { i++; for (let k = 0; k < 4; k++) { if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail(); i++; } }
        else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) { ws(); string(); ws(); expect(':'); value(depth + 1); ws(); if (text[i] === ',') { i++; continue; } expect('}'); return; }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) { value(depth + 1); ws(); if (text[i] === ',') { i++; continue; } expect(']'); return; }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    number();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return e.offset;
    throw e;
  }
}
