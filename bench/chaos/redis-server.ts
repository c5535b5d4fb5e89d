// The chaos benchmark's private redis-server: a free port, its own data folder, and one of three
// persistence modes. A crash is SIGKILL; the restart loads whatever that mode left on disk, as a real
// restarted server would:
//   none  `--save "" --appendonly no`: comes back empty;
//   rdb   `--save "1 1"`: comes back from its last snapshot (up to ~1 s of writes lost, so jobs can go back
//         to an earlier state: a finished job waiting again, an added job gone);
//   aof   `--appendonly yes --appendfsync everysec`: comes back with at most ~1 s of writes lost.
// The mode can change at run time (CONFIG SET), so one benchmark run crashes servers of every kind.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export type Persistence = 'none' | 'rdb' | 'aof';
export const PERSISTENCE_MODES: readonly Persistence[] = ['none', 'rdb', 'aof'];

const MODE_ARGS: Record<Persistence, string[]> = {
  none: ['--save', '', '--appendonly', 'no'],
  rdb: ['--save', '1 1', '--appendonly', 'no'],
  aof: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ChaosRedis {
  private child: ChildProcess | undefined;
  private incarnation = 0;

  private constructor(
    readonly port: number,
    readonly dir: string,
    public mode: Persistence,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port: number, dir: string, mode: Persistence): Promise<ChaosRedis> {
    mkdirSync(dir, { recursive: true });
    const r = new ChaosRedis(port, dir, mode);
    await r.launch();
    return r;
  }

  /** One redis-cli command; its trimmed output (an error reply is output too). */
  cli(...args: string[]): string {
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  }

  private info(field: string): string | undefined {
    return new RegExp(`^${field}:(.*)$`, 'm').exec(this.cli('INFO', 'persistence'))?.[1]?.trim();
  }

  private async launch(): Promise<void> {
    const log = openSync(join(this.dir, `redis-${++this.incarnation}.log`), 'a');
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--maxmemory-policy',
        'noeviction',
        ...MODE_ARGS[this.mode],
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.child.on('error', () => {}); // reported through the ping timeout below
    // PING answers LOADING until the data set is read back: wait for a real PONG.
    for (let i = 0; i < 300; i++) {
      if (this.cli('PING') === 'PONG') return;
      if (this.child.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${this.port} did not start (mode ${this.mode}; see ${this.dir})`);
  }

  /** SIGKILL, as a crash. A server without persistence leaves nothing to load, so its folder is emptied. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    if (this.mode === 'none') {
      rmSync(join(this.dir, 'dump.rdb'), { force: true });
      rmSync(join(this.dir, 'appendonlydir'), { recursive: true, force: true });
    }
  }

  /** Starts again with the crashed server's mode, from the files it left. */
  async restart(): Promise<void> {
    await this.launch();
  }

  /**
   * Switches persistence while running. Returns once the new mode protects the current data set (the
   * first snapshot or AOF rewrite is done), so a later crash loses only what that mode loses.
   */
  async switchTo(mode: Persistence): Promise<void> {
    if (mode === this.mode) return;
    if (mode === 'none') {
      this.cli('CONFIG', 'SET', 'appendonly', 'no');
      this.cli('CONFIG', 'SET', 'save', '');
    } else if (mode === 'rdb') {
      this.cli('CONFIG', 'SET', 'appendonly', 'no');
      this.cli('CONFIG', 'SET', 'save', '1 1');
      this.cli('BGSAVE');
      await this.until(
        () => this.info('rdb_bgsave_in_progress') === '0' && this.info('rdb_last_bgsave_status') === 'ok',
      );
    } else {
      this.cli('CONFIG', 'SET', 'save', '');
      this.cli('CONFIG', 'SET', 'appendfsync', 'everysec');
      this.cli('CONFIG', 'SET', 'appendonly', 'yes');
      await this.until(
        () =>
          this.info('aof_enabled') === '1' &&
          this.info('aof_rewrite_in_progress') === '0' &&
          this.info('aof_rewrite_scheduled') === '0',
      );
    }
    this.mode = mode;
  }

  private async until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (check()) return;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${this.port}: persistence switch did not complete within 30 s`);
  }

  async stop(): Promise<void> {
    await this.crash();
  }
}
