// Redis connections for BullMQ from a `redis://[user:pass@]host:port[/db]` or `rediss://` (TLS) URL.
// BullMQ needs maxRetriesPerRequest: null (commands wait through a reconnect instead of failing) and a
// server that never evicts keys (`maxmemory-policy noeviction`): an evicted job key is a lost trial.
import { Redis, type RedisOptions } from 'ioredis';

import { PyramidNasError } from './errors.js';

/** The queue key prefix: every campaign's keys live under `pyramid-nas:<campaign>:…`. */
export const QUEUE_PREFIX = 'pyramid-nas';

/** A Redis URL that cannot work (malformed, unreachable by design, refused credentials): the --redis option's problem. */
export class RedisUrlError extends PyramidNasError {
  constructor(
    readonly url: string,
    message: string,
    code = 'BAD_REDIS_URL',
  ) {
    super(code, `--redis ${redact(url)}: ${message}`, { usage: true, where: { option: 'redis' } });
    this.name = 'RedisUrlError';
  }
}

/** Redis refused the URL's credentials (or wants some): a usage error like a bad URL, not an outage. */
export class RedisAuthError extends RedisUrlError {
  constructor(url: string, reply: string) {
    const hint = /^NOAUTH/.test(reply)
      ? 'the server requires a password (NOAUTH); put it in the URL: redis://[user:]password@host:port'
      : `wrong user name or password (${reply.slice(0, 120)})`;
    super(url, `authentication failed: ${hint}`, 'REDIS_AUTH');
    this.name = 'RedisAuthError';
  }
}

/** A server reply that means "these credentials will never work" (retrying cannot help). */
export function isAuthFailure(err: Error): boolean {
  return /^(WRONGPASS|NOAUTH)\b|^ERR invalid (username-)?password/.test(err.message);
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** An error that means "Redis is unreachable right now" (ioredis reconnects by itself), not a bug. */
export function isConnectionError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && CONNECTION_CODES.has(code)) return true;
  return (
    isAuthFailure(err) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|Stream isn't writeable|Socket closed/i.test(
      err.message,
    )
  );
}

/** The URL with its password replaced, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

export function parseRedisUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError(url, 'not a URL (expected redis://[user:pass@]host:port[/db] or rediss://…)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new RedisUrlError(url, `scheme must be redis: or rediss: (got ${u.protocol})`);
  if (!u.hostname) throw new RedisUrlError(url, 'missing host');
  const port = u.port ? Number(u.port) : 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RedisUrlError(url, `bad port ${u.port}`);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 1_000_000)
    throw new RedisUrlError(url, `database must be a non-negative integer (got "${dbText}")`);
  const opts: RedisOptions = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
  };
  if (u.username) opts.username = decodeURIComponent(u.username);
  if (u.password) opts.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') opts.tls = { servername: opts.host };
  return opts;
}

export function connectRedis(url: string, extra: Partial<RedisOptions> = {}): Redis {
  return new Redis({
    ...parseRedisUrl(url),
    // Required by BullMQ: during a Redis restart commands queue and wait instead of failing.
    maxRetriesPerRequest: null,
    // Reconnect forever, backing off to 1 s (a Redis restart must not kill a campaign or a worker).
    retryStrategy: (times) => Math.min(50 * times, 1000),
    ...extra,
  });
}

/**
 * The server's eviction policy, or undefined when it cannot be read (managed Redis often disables
 * CONFIG). Anything but 'noeviction' can silently drop job keys under memory pressure.
 */
export async function evictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    return reply?.[1];
  } catch {
    return undefined;
  }
}

export async function warnIfEvicting(redis: Redis, warn: (msg: string) => void): Promise<void> {
  const policy = await evictionPolicy(redis);
  if (policy !== undefined && policy !== 'noeviction') {
    warn(
      `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" (evicted job keys are lost trials). Fix: CONFIG SET maxmemory-policy noeviction`,
    );
  }
}

/**
 * Resolves when the connection is ready; rejects after `ms` with the last connection error. Used at
 * start-up only: a Redis that is unreachable from the start is a configuration error, not an outage.
 */
export function waitReady(redis: Redis, url: string, ms = 10_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last = 'no answer';
    const onError = (err: Error) => {
      last = err.message;
      if (isAuthFailure(err)) {
        // Retrying cannot fix credentials: say so now instead of "cannot reach" after the timeout.
        cleanup();
        reject(new RedisAuthError(url, err.message));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`cannot reach Redis at ${redact(url)} within ${ms / 1000} s (${last})`));
    }, ms);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('error', onError);
      redis.off('ready', onReady);
    };
    redis.on('error', onError);
    redis.once('ready', onReady);
  });
}

/**
 * One log line per Redis outage, one on recovery, however many connections (the worker's own, BullMQ's
 * blocking ones) report each failed reconnect. An outage starts with the first connection error and ends
 * once `redis` is ready and no connection has reported an error for `quietMs`.
 */
export class OutageLog {
  private down = false;
  private lastError = 0;
  private timer: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly report: { lost(error: string): void; restored(): void },
    private readonly quietMs = 1500,
  ) {}

  /** Watches `redis` itself (other connections report through lost()). */
  static watch(redis: Redis, report: { lost(error: string): void; restored(): void }, quietMs?: number): OutageLog {
    const o = new OutageLog(redis, report, quietMs);
    const onError = (err: Error) => o.lost(err);
    redis.on('error', onError);
    o.detach = () => redis.off('error', onError);
    return o;
  }

  get isDown(): boolean {
    return this.down;
  }

  lost(err: Error): void {
    this.lastError = Date.now();
    if (this.down) return;
    this.down = true;
    this.report.lost(err.message);
    this.timer = setInterval(
      () => {
        if (this.redis.status === 'ready' && Date.now() - this.lastError >= this.quietMs) {
          clearInterval(this.timer);
          this.timer = undefined;
          this.down = false;
          this.report.restored();
        }
      },
      Math.min(250, this.quietMs),
    );
    this.timer.unref();
  }

  /** Stops the recovery check (and, for watch(), listening to the connection). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.detach?.();
    this.detach = undefined;
  }
}
