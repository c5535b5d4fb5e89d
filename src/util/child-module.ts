// The file to fork for a module that sits beside the calling code. Compiled code (dist/, the published
// package) forks the compiled sibling with a bare `node`; the TypeScript sources (tests and benches run
// them through tsx) fork the .ts sibling with tsx's loader. A child therefore always runs the same build
// as its parent: a parent from dist never starts a child from stale or uncompiled sources.
import { fileURLToPath } from 'node:url';

export interface ChildModule {
  /** Absolute path of the module to fork. */
  file: string;
  /** The child's execArgv (node options): tsx's loader for a .ts child, nothing for a .js one. */
  execArgv: string[];
}

/**
 * `name` is the sibling's path relative to `callerUrl` without an extension (e.g. './pool-child');
 * `callerUrl` is the caller's import.meta.url, whose extension says which build is running.
 */
export function childModule(name: string, callerUrl: string): ChildModule {
  if (/\.[cm]?js$/.test(new URL(callerUrl).pathname)) {
    return { file: fileURLToPath(new URL(`${name}.js`, callerUrl)), execArgv: [] };
  }
  // Resolved here, not by the child: the child's working folder need not see this package's node_modules.
  return { file: fileURLToPath(new URL(`${name}.ts`, callerUrl)), execArgv: ['--import', import.meta.resolve('tsx')] };
}
