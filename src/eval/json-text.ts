// JSON.parse with errors people can act on: the file and the line:column of the first syntax error. The
// grammar walk, the BOM rule and the wording are src/util/json-text.ts's, shared with the graph and
// campaign parsers, so the same text is accepted (or refused, at the same place) by all three.
import { jsonSyntaxReport, stripBom } from '../util/json-text.js';
import { EvalInputError } from './errors.js';

/** Parses `text`; a leading byte-order mark is ignored, as the graph and campaign parsers do. */
export function parseJsonText(text: string, file = '<input>'): unknown {
  const body = stripBom(text);
  try {
    return JSON.parse(body);
  } catch (err) {
    const { line, column, reason } = jsonSyntaxReport(body, err);
    throw new EvalInputError('BAD_JSON', `${file}: malformed JSON at line ${line}, column ${column}: ${reason}`, {
      file,
    });
  }
}
