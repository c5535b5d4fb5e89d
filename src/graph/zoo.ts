// The reference pyramids shipped in search-spaces/zoo, and the one way a user names a graph anywhere a
// list of graphs is accepted (campaign baselines and seed graphs, `evaluate`): a zoo name (`fpn`,
// `zoo:fpn`) or a graph file path.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PyramidNasError } from '../util/errors.js';
import { formatIssue } from './issues.js';
import { parseGraphFile } from './parse-file.js';
import type { PyramidGraph } from './types.js';

/** The zoo shipped with the package (independent of the working directory; also right under dist/). */
export const ZOO_DIR = fileURLToPath(new URL('../../search-spaces/zoo/', import.meta.url));

const ZOO_SUFFIX = '.graph.json';

/**
 * Where `pyramid-nas study --export` writes a study's discovered pyramid, and where `pyramid-nas zoo` looks
 * for such graphs: relative to the working directory (a clone's root), not to the package, because a
 * discovered graph is a result of the user's study, never part of the shipped zoo. `zooNames()` and zoo
 * specs (`fpn`, `zoo:fpn`) name the reference zoo only, so baselines and benches never pick these up.
 */
export const DISCOVERED_DIR = join('search-spaces', 'discovered');

/** The zoo's graph names (file names without `.graph.json`), sorted. */
export function zooNames(dir: string = ZOO_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ZOO_SUFFIX))
    .map((f) => f.slice(0, -ZOO_SUFFIX.length))
    .sort();
}

/** True when `spec` names a zoo graph (`zoo:<name>`, or a bare name without a path separator or `.json`). */
function zooName(spec: string): string | undefined {
  if (spec.startsWith('zoo:')) return spec.slice(4);
  return /^[A-Za-z0-9_-]+$/.test(spec) ? spec : undefined;
}

/** True when `spec` names a zoo graph rather than a file (whether or not that zoo graph exists). */
export function isZooSpec(spec: string): boolean {
  return zooName(spec) !== undefined;
}

/**
 * The graph a spec names: `fpn` or `zoo:fpn` (a zoo graph), else a graph file path relative to `cwd`.
 * An unknown zoo name, an unreadable file or an invalid graph is a usage error (`GRAPH_SPEC`) that names
 * the spec and, for a file, every problem with its JSON path.
 */
export async function resolveGraphSpec(spec: string, cwd: string = process.cwd()): Promise<PyramidGraph> {
  const name = zooName(spec);
  let file: string;
  if (name !== undefined) {
    file = join(ZOO_DIR, name + ZOO_SUFFIX);
    if (!/^[A-Za-z0-9_-]+$/.test(name) || !existsSync(file)) {
      throw new PyramidNasError('GRAPH_SPEC', `"${spec}": no zoo graph "${name}" (known: ${zooNames().join(', ')})`, {
        usage: true,
      });
    }
  } else {
    file = resolve(cwd, spec);
  }
  const parsed = await parseGraphFile(file);
  if (!parsed.ok) {
    const problems = parsed.errors.map((e) => `${formatIssue(e)} [${e.code}]`).join('; ');
    throw new PyramidNasError('GRAPH_SPEC', `"${spec}" (${file}): ${problems}`, { usage: true, where: { file } });
  }
  return parsed.graph;
}
