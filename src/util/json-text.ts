// Where a JSON text first goes wrong, as an offset, a reason and line:column. V8's JSON.parse does not
// always say where ("Unexpected token '}', ... is not valid JSON"), so after a failed parse this small
// checker walks the grammar (building nothing) and stops at the first character that cannot continue a
// valid document. Shared by the graph, campaign and COCO-eval parsers; only run on failure, so speed is
// secondary. It keeps an explicit stack instead of recursing, so any nesting depth that JSON.parse
// accepts is accepted here too (no stack overflow, no arbitrary depth limit).

export interface JsonSyntaxProblem {
  /** Offset of the first character that cannot continue a valid document (text.length: it ended early). */
  offset: number;
  reason: string;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class Stop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX = /[0-9a-fA-F]/;
const LITERALS: Record<string, string> = { t: 'true', f: 'false', n: 'null' };

/** The first syntax error of `text`, or undefined exactly when JSON.parse accepts it. */
export function locateJsonError(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const what = (): string => (i >= n ? 'end of input' : `${JSON.stringify(text[i])}`);
  const string = (): void => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c === 92) {
        i++; // the backslash can continue a document; what follows it may not
        const e = text[i];
        if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!HEX.test(text[i] ?? '')) throw new Stop(i, 'bad \\u escape in string');
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else throw new Stop(i, 'bad escape in string');
        continue;
      }
      if (c < 0x20) throw new Stop(i, 'unescaped control character in string');
      i++;
    }
    throw new Stop(n, 'unterminated string');
  };
  /** A property name and its ':' (at `i`, after optional whitespace). */
  const key = (): void => {
    ws();
    if (text[i] !== '"') throw new Stop(i, `expected a property name in double quotes, found ${what()}`);
    string();
    ws();
    if (text[i] !== ':') throw new Stop(i, `expected ':' after a property name, found ${what()}`);
    i++;
  };
  /** Reads one value; an opened, non-empty container is pushed instead (its members come next). */
  const open: ('{' | '[')[] = [];
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      open.push(c);
      if (c === '{') key();
      return;
    }
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) throw new Stop(i, 'invalid number');
      i = NUMBER.lastIndex;
      return;
    }
    const lit = c === undefined ? undefined : LITERALS[c];
    if (lit === undefined) throw new Stop(i, `expected a value, found ${what()}`);
    for (const ch of lit) {
      if (text[i] !== ch) throw new Stop(i, `invalid literal (expected ${lit}), found ${what()}`);
      i++;
    }
  };
  try {
    for (;;) {
      const depth = open.length;
      value();
      if (open.length > depth) continue; // a container was opened: read its first member
      // A value ended: close every container it completes, then go on after a ',' (or finish).
      for (;;) {
        ws();
        const top = open[open.length - 1];
        if (top === undefined) {
          if (i < n) throw new Stop(i, `unexpected ${what()} after the JSON value`);
          return undefined;
        }
        if (text[i] === ',') {
          i++;
          if (top === '{') key();
          break;
        }
        if (text[i] === (top === '{' ? '}' : ']')) {
          i++;
          open.pop();
          continue;
        }
        throw new Stop(i, `expected ',' or '${top === '{' ? '}' : ']'}' in an ${top === '{' ? 'object' : 'array'}, found ${what()}`);
      }
    }
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}
