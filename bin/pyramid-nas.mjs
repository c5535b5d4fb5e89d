#!/usr/bin/env node
// The `pyramid-nas` command: runs the compiled CLI in dist/ (the published package ships it; in a clone,
// `npm ci` builds it through the `prepare` script, `npm run build` rebuilds it, and the test runner builds
// before it runs tests).
// In a clone (src/ beside dist/), dist/ is used only while it is current: if it was never built, or a
// source or tsconfig was saved after the last build started (dist/.build-stamp), the sources are run through
// tsx instead, so an edit is never silently ignored. That fallback starts about a second slower.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const COMPILED = `${ROOT}dist/src/cli/main.js`;

/** Why dist/ must not run in this clone, or undefined when it is current. */
function staleReason() {
  let built;
  try {
    built = statSync(`${ROOT}dist/.build-stamp`).mtimeMs;
  } catch {
    return 'dist/ is not built';
  }
  const newer = (file) => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) > built;
  for (const config of ['tsconfig.json', 'tsconfig.build.json'])
    if (newer(`${ROOT}${config}`)) return `${config} changed since the last build`;
  for (const dir of ['src', 'search-spaces', 'controllers', 'workers']) {
    if (!existsSync(`${ROOT}${dir}`)) continue;
    for (const entry of readdirSync(`${ROOT}${dir}`, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = `${entry.parentPath ?? entry.path}/${entry.name}`;
      if (newer(file)) return `${file.slice(ROOT.length)} changed since the last build`;
    }
  }
  return undefined;
}

const stale = existsSync(`${ROOT}src/cli/main.ts`) ? staleReason() : undefined;
if (stale) {
  // Only a person at a terminal is told; the output of scripts and tests stays the command's own.
  if (process.stderr.isTTY)
    console.error(`pyramid-nas: ${stale}: running the sources through tsx (npm run build makes dist/ current)`);
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(`${ROOT}src/cli/main.ts`).href);
} else if (existsSync(COMPILED)) {
  await import(pathToFileURL(COMPILED).href);
} else {
  console.error(
    `pyramid-nas: ${COMPILED} is missing: this installation is incomplete (run \`npm run build\` in a clone)`,
  );
  process.exit(1);
}
