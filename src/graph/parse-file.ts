// parseGraphFile: a graph file on disk → the same result as parseGraph, plus IO and JSON errors located by
// line:column, so `pyramid-nas validate` can say exactly where a hand-edited file broke.
import { readFile } from 'node:fs/promises';
import { lineColumn, locateJsonError } from '../util/json-text.js';
import { parseGraph, type ParseResult } from './validate.js';

export async function parseGraphFile(path: string): Promise<ParseResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { ok: false, errors: [{ code: 'IO', path: '$', message: `cannot read ${path}: ${(e as Error).message}` }] };
  }
  return parseGraphText(text);
}

/** Parses JSON text (a leading BOM is ignored); syntax errors are reported as `line:column`. */
export function parseGraphText(text: string): ParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const { line, column } = lineColumn(body, locateJsonError(body)?.offset ?? 0);
    const detail = (e as Error).message.replace(/\s+in JSON at position \d+.*$/, '');
    return { ok: false, errors: [{ code: 'JSON', path: '$', message: `invalid JSON at ${line}:${column}: ${detail}` }] };
  }
  return parseGraph(json);
}
