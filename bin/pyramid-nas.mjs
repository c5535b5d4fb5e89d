#!/usr/bin/env node
// The `pyramid-nas` command: runs the compiled CLI in dist/ (the published package ships it; in a clone,
// `npm ci` builds it through the `prepare` script, `npm run build` rebuilds it, and the test runner builds
// before it runs tests).
// In a clone (src/ beside dist/), dist/ is used only while it is current: if it was never built, or a
// source or tsconfig was saved after the last build started (dist/.build-stamp), the sources are run through
// tsx instead, so an edit is never silently ignored. That fallback starts about a second slower.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { staleReason } from './dist-freshness.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const COMPILED = `${ROOT}dist/src/cli/main.js`;

const stale = existsSync(`${ROOT}src/cli/main.ts`) ? staleReason(ROOT) : undefined;
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
