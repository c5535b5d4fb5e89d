// The live dashboard: `startDashboard({ dirs })` serves a page that follows one or more campaign journals
// (or the campaigns of a study folder), read-only, and, with `redis`, the BullMQ queues of those campaigns.
// Used by the `pyramid-nas dashboard` command and by `search … --dashboard`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { loadAssets } from './assets.js';
import { checkBind, DashboardOptionsError } from './auth.js';
import { CampaignSet } from './campaigns.js';
import { type QueueView, RedisView } from './redis-view.js';
import { broadcastQueue, broadcastStudies, broadcastUpdate, createHandler, SseHub } from './server.js';

export { DashboardOptionsError, isLoopbackHost } from './auth.js';
export type { StudyView } from './campaigns.js';
export { isStudyFolder, MAX_STUDY_CAMPAIGNS } from './study.js';
export type { CampaignHeader, TrialRow, TrialState } from './state.js';
export type { QueueView, RunningJob } from './redis-view.js';

export interface DashboardOptions {
  /**
   * Campaign output folders (results/<campaign>); a folder or its journal may appear later. A study folder
   * (`pyramid-nas study`'s, with campaigns/) stands for its campaigns, and those that start later are added.
   */
  dirs: string[];
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Any non-loopback address requires `token`. */
  host?: string;
  /** Required on every request when set (`?token=`, `Authorization: Bearer`, or `X-Dashboard-Token`). */
  token?: string;
  /** redis://… URL: show running trials and their progress from the campaigns' BullMQ queues. */
  redis?: string;
  /** Journal stat fallback period (default 1000 ms); fs.watch usually wakes the tail first. */
  pollMs?: number;
}

export interface Dashboard {
  /** http://host:port/ (without the token). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  checkBind(host, opts.token);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new DashboardOptionsError('port', `must be an integer in 0..65535 (got ${port})`);
  if (opts.redis !== undefined && !/^rediss?:\/\//.test(opts.redis))
    throw new DashboardOptionsError('redis', 'expected redis://[user:pass@]host:port[/db] or rediss://…');

  const assets = loadAssets();
  const campaigns = new CampaignSet(opts.dirs, opts.pollMs);
  const hub = new SseHub();
  let redis: RedisView | undefined;
  const views = new Map<string, QueueView>();
  campaigns.onUpdate((u) => broadcastUpdate(hub, u));
  campaigns.onStudies((s) => broadcastStudies(hub, s));
  campaigns.start();
  if (opts.redis) {
    redis = new RedisView(
      opts.redis,
      () => campaigns.queueNames(),
      (v) => {
        views.set(v.key, v);
        broadcastQueue(hub, v);
      },
      opts.pollMs ?? 1000,
    );
    redis.start();
  }
  const handler = createHandler(
    { campaigns, assets, token: opts.token, redis: redis !== undefined, queueViews: () => [...views.values()] },
    hub,
  );
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 5000;
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (err) {
    campaigns.close();
    hub.close();
    await redis?.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new DashboardOptionsError('port', `${port} is in use on ${host}`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
      throw new DashboardOptionsError('host', `cannot bind ${host} (${e.code})`);
    throw err;
  }
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closed = false;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    port: addr.port,
    async close() {
      if (closed) return;
      closed = true;
      campaigns.close();
      hub.close();
      await redis?.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
