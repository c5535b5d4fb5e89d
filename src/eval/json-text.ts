// JSON.parse with errors people can act on: the file and the line:column of the first syntax error.
import { EvalInputError } from './errors.js';
import { locateJsonError } from './json-locate.js';

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
