// Whether dist/ is current in a clone: the bin runs dist/ only then (else the sources through tsx), and the
// benchmarks that time or fork compiled code refuse to run on a stale build. Plain .mjs: the bin loads it
// before anything is compiled.
import { existsSync, readdirSync, statSync } from 'node:fs';

/**
 * Why dist/ must not run in the clone at `root` (a path ending in '/'), or undefined when it is current: it
 * was never built, or a source or tsconfig was saved after the last build started (dist/.build-stamp).
 */
export function staleReason(root) {
  let built;
  try {
    built = statSync(`${root}dist/.build-stamp`).mtimeMs;
  } catch {
    return 'dist/ is not built';
  }
  const newer = (file) => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) > built;
  for (const config of ['tsconfig.json', 'tsconfig.build.json'])
    if (newer(`${root}${config}`)) return `${config} changed since the last build`;
  for (const dir of ['src', 'search-spaces', 'controllers', 'workers']) {
    if (!existsSync(`${root}${dir}`)) continue;
    for (const entry of readdirSync(`${root}${dir}`, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = `${entry.parentPath ?? entry.path}/${entry.name}`;
      if (newer(file)) return `${file.slice(root.length)} changed since the last build`;
    }
  }
  return undefined;
}
