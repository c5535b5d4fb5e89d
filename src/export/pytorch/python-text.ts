// Writing values into generated Python source safely: a graph's name and meta are user data and end up in
// a docstring and in string literals, where a stray quote or backslash would change the program.

/** A Python string literal (double-quoted) holding exactly `s`. */
export function pyString(s: string): string {
  // JSON string escapes (\" \\ \n \uXXXX) are all valid Python escapes with the same meaning.
  return JSON.stringify(s);
}

/**
 * Text made safe to sit on a line inside a """ docstring (whose closing quotes are on a line of their own):
 * backslashes escaped, a run of 3+ double quotes escaped quote by quote, control bytes as \xNN.
 */
export function docstringText(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/"{3,}/g, (run) => '\\"'.repeat(run.length))
    .replace(/\p{Cc}/gu, (c) => (c === '\t' ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** A Python identifier made from a graph node id (`[A-Za-z0-9_]{1,64}`, may start with a digit). */
export function nodeAttr(id: string): string {
  return `node_${id}`;
}

export function nodeVar(id: string): string {
  return `x_${id}`;
}
