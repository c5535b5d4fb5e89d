// parseGraphFile: a graph file on disk → the same result as parseGraph, plus IO and JSON errors located by
// line:column, so `pyramid-nas validate` can say exactly where a hand-edited file broke. Files are read
// with a size cap (INPUT_LIMITS.graph), and only regular files: /dev/zero or a FIFO is refused, not read.
import {
  findOverflowingNumber,
  findProtoKey,
  jsonSyntaxReport,
  lineColumn,
  overflowMessage,
  stripBom,
} from '../util/json-text.js';
import { INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';
import { formatPath } from './issues.js';
import { parseGraph, type ParseResult } from './validate.js';

export async function parseGraphFile(path: string): Promise<ParseResult> {
  let text: string;
  try {
    text = readTextBounded(path, INPUT_LIMITS.graph, 'graph file');
  } catch (e) {
    return { ok: false, errors: [{ code: 'IO', path: '$', message: `cannot read ${(e as Error).message}` }] };
  }
  return parseGraphText(text);
}

/** Parses JSON text (a leading BOM is ignored); syntax errors are reported as `line:column`. */
export function parseGraphText(text: string): ParseResult {
  const body = stripBom(text);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const { line, column, reason } = jsonSyntaxReport(body, e);
    return {
      ok: false,
      errors: [{ code: 'JSON', path: '$', message: `invalid JSON at ${line}:${column}: ${reason}` }],
    };
  }
  const overflow = findOverflowingNumber(body, json);
  if (overflow) {
    const { line, column } = lineColumn(body, overflow.offset);
    return {
      ok: false,
      errors: [
        {
          code: 'SCHEMA',
          path: formatPath(overflow.path),
          message: `${overflowMessage(overflow)} at ${line}:${column}`,
        },
      ],
    };
  }
  // parseGraph's records (outputs, meta) would drop the key silently.
  const proto = findProtoKey(json);
  if (proto)
    return { ok: false, errors: [{ code: 'SCHEMA', path: formatPath(proto), message: 'unknown key "__proto__"' }] };
  return parseGraph(json);
}
