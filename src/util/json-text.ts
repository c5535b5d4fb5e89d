// Where a JSON text first goes wrong, as an offset, a reason and line:column. V8's JSON.parse does not
// always say where ("Unexpected token '}', ... is not valid JSON"), so after a failed parse this small
// checker walks the grammar (building nothing) and stops at the first character that cannot continue a
// valid document. Shared by the graph, campaign, COCO-eval and dataset (COCO, split file) readers; only
// run on failure, so speed is secondary. It keeps an explicit stack instead of recursing, so any nesting
// depth that JSON.parse accepts is accepted here too (no stack overflow, no arbitrary depth limit).

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

/** Characters that print as nothing (or as a space): a message names them instead of showing them. */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Z}]$/u;
const CHAR_NAMES: Record<number, string> = {
  0x00: 'NUL',
  0xa0: 'no-break space',
  0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner',
  0x200d: 'zero-width joiner',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x3000: 'ideographic space',
  0xfeff: 'byte-order mark',
};

/**
 * The character at `offset` for a message: `"}"` when it can be seen, `U+FEFF (byte-order mark)` when it
 * cannot (a quoted BOM or no-break space looks like `""` or `" "` and hides what is wrong).
 */
export function describeCharAt(text: string, offset: number): string {
  const cp = text.codePointAt(offset);
  if (cp === undefined) return 'end of input';
  const ch = String.fromCodePoint(cp);
  if (ch === ' ' || !INVISIBLE.test(ch)) return JSON.stringify(ch);
  const name = CHAR_NAMES[cp];
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}${name ? ` (${name})` : ''}`;
}

/** A leading U+FEFF byte-order mark removed: some editors write one, and JSON.parse refuses it. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The first syntax error of `text`, or undefined exactly when JSON.parse accepts it. */
export function locateJsonError(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const what = (): string => (i >= n ? 'end of input' : describeCharAt(text, i));
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
        throw new Stop(
          i,
          `expected ',' or '${top === '{' ? '}' : ']'}' in an ${top === '{' ? 'object' : 'array'}, found ${what()}`,
        );
      }
    }
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}

/** Where and why JSON.parse failed on `text`, for a message: `line`:`column` and a reason naming what was found. */
export interface JsonSyntaxReport {
  line: number;
  column: number;
  reason: string;
}

/**
 * The report for a text JSON.parse refused (`err` is what it threw). The graph, campaign and COCO-eval
 * parsers all word syntax errors this way; V8's own message is only the fallback (it quotes the text,
 * invisible characters included, and does not always say where).
 */
export function jsonSyntaxReport(text: string, err: unknown): JsonSyntaxReport {
  const problem = locateJsonError(text);
  const { line, column } = lineColumn(text, problem?.offset ?? 0);
  const reason = problem?.reason ?? String((err as Error)?.message ?? err).replace(/\s+in JSON at position \d+.*$/, '');
  return { line, column, reason };
}

/** A number literal that JSON.parse turns into ±Infinity (e.g. 1e309), with where it is. */
export interface JsonNumberOverflow {
  offset: number;
  literal: string;
  /** Keys and indices from the document root. */
  path: (string | number)[];
}

/** True when a parsed JSON value holds ±Infinity anywhere (JSON.parse's result for an overflowing literal). */
export function holdsNonFinite(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const k in v) stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return false;
}

/**
 * The first number literal of a valid JSON text that overflows to ±Infinity. JSON.parse accepts these
 * silently, and a schema then sees "a number that is not a number"; this names the literal and its path.
 * `parsed` is JSON.parse(text) when the caller has it (parsed here otherwise): walking the value first
 * is much cheaper than walking the text, which happens only when the value holds an Infinity.
 */
export function findOverflowingNumber(
  text: string,
  parsed: unknown = JSON.parse(text),
): JsonNumberOverflow | undefined {
  if (!holdsNonFinite(parsed)) return undefined;
  const path: (string | number)[] = [];
  const open: ('{' | '[')[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      const start = i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      if (expectKey) {
        path[path.length - 1] = JSON.parse(text.slice(start, i)) as string;
        expectKey = false;
      }
    } else if (c === '{' || c === '[') {
      open.push(c);
      path.push(c === '{' ? '' : 0);
      expectKey = c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      open.pop();
      path.pop();
      expectKey = false; // an empty object expected a key that never came
      i++;
    } else if (c === ',') {
      if (open[open.length - 1] === '{') expectKey = true;
      else (path[path.length - 1] as number)++;
      i++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      NUMBER.test(text);
      const literal = text.slice(i, NUMBER.lastIndex);
      if (!Number.isFinite(Number(literal))) return { offset: i, literal, path };
      i = NUMBER.lastIndex;
    } else i++; // whitespace, ':', the letters of true/false/null
  }
  return undefined;
}

/** "must be a finite number (1e309 overflows)": the message for a JsonNumberOverflow. */
export function overflowMessage(o: JsonNumberOverflow): string {
  const lit = o.literal.length > 24 ? `${o.literal.slice(0, 10)}…${o.literal.slice(-10)}` : o.literal;
  return `must be a finite number (${lit} overflows)`;
}

/**
 * The path of the first own `__proto__` key in a parsed JSON value (depth first, in key order). JSON.parse
 * keeps such a key as a plain property, but copying the object (a spread, a schema's record) silently
 * drops it or replaces the prototype; callers report it as an unknown key instead.
 *
 * Linear in the size of the value at any nesting depth (a 1 MB file nests 200,000 deep): the walk keeps
 * one frame per open container, and the path is built from the frames only once the key is found.
 */
export function findProtoKey(value: unknown): (string | number)[] | undefined {
  interface Frame {
    container: Record<string, unknown> | unknown[];
    /** An object's keys; undefined for an array (its indices are 0..length-1). */
    keys: string[] | undefined;
    next: number;
    /** Where this container sits in its parent (unused for the root). */
    key: string | number;
  }
  const frames: Frame[] = [];
  /** Opens a container: true when it holds the key itself (then it is not pushed). */
  const enter = (v: object, key: string | number): boolean => {
    const isArray = Array.isArray(v);
    if (!isArray && Object.hasOwn(v, '__proto__')) return true;
    frames.push({ container: v as Frame['container'], keys: isArray ? undefined : Object.keys(v), next: 0, key });
    return false;
  };
  const pathTo = (key?: string | number): (string | number)[] => {
    const path = frames.slice(1).map((f) => f.key);
    if (key !== undefined) path.push(key);
    path.push('__proto__');
    return path;
  };
  if (typeof value !== 'object' || value === null) return undefined;
  if (enter(value, '')) return pathTo();
  while (frames.length > 0) {
    const top = frames[frames.length - 1];
    const count = top.keys ? top.keys.length : (top.container as unknown[]).length;
    if (top.next >= count) {
      frames.pop();
      continue;
    }
    const key = top.keys ? top.keys[top.next] : top.next;
    top.next++;
    const child = (top.container as Record<string | number, unknown>)[key];
    if (typeof child === 'object' && child !== null && enter(child, key)) return pathTo(key);
  }
  return undefined;
}
