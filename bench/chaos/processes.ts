// `pyramid-nas` processes for the chaos benchmark: each in its own process group (so SIGKILL takes its
// trial processes with it), its output appended to a log file, and whether its end was planned.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface CliProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly log: string;
  /** Set before the benchmark kills or stops it: any other exit is unplanned. */
  planned: boolean;
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  alive(): boolean;
}

export function startCli(label: string, args: string[], env: NodeJS.ProcessEnv, log: string): CliProcess {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, ['bin/pyramid-nas.mjs', ...args], {
    env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const p: CliProcess = {
    label,
    child,
    log,
    planned: false,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
  return p;
}

/** Sends `signal` to the process group and waits for the leader to exit. */
export async function killGroup(p: CliProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  p.planned = true;
  if (!p.alive()) return;
  try {
    process.kill(-p.child.pid!, signal);
  } catch {
    p.child.kill(signal);
  }
  await p.exited;
}

/** SIGTERM (running trials finish), then SIGKILL after `graceMs`. */
export async function stopGroup(p: CliProcess, graceMs = 5000): Promise<void> {
  p.planned = true;
  if (!p.alive()) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([killGroup(p, 'SIGTERM'), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  await killGroup(p, 'SIGKILL');
}
