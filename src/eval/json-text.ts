// JSON.parse with errors people can act on: the file and the line:column of the first syntax error.
import { EvalInputError } from './errors.js';
import { lineColumn, locateJsonError } from '../util/json-text.js';

export function parseJsonText(text: string, file = '<input>'): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const problem = locateJsonError(text);
    if (problem === undefined) {
      throw new EvalInputError('bad-json', `${file}: malformed JSON: ${(err as Error).message}`, { file });
    }
    const { line, column } = lineColumn(text, problem.offset);
    throw new EvalInputError('bad-json', `${file}: malformed JSON at line ${line}, column ${column}: ${problem.reason}`, { file });
  }
}
