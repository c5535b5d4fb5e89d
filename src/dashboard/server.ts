// The HTTP side: GET-only routes for the page, its assets, a JSON snapshot, trial details, the trial's
// pyramid as SVG (the project's renderSvg) and as a JSON download, an opened study's report.md as plain
// text, and /events, the server-sent event
// stream (a snapshot on connect, then one message per journal batch and per Redis view change).
// Every response carries a strict Content-Security-Policy: trial strings are inserted as text by the
// page, and the CSP is the second wall should that ever slip.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { renderSvg } from '../graph/index.js';
import { REPORT_FILE } from '../study/report.js';
import type { Asset } from './assets.js';
import { authorize, TOKEN_COOKIE } from './auth.js';
import type { CampaignSet, CampaignUpdate, StudyView } from './campaigns.js';
import type { QueueView } from './redis-view.js';
import { readStudyReport } from './study.js';
import { labelledDecisions, loadTrialGraph, SpaceCache, TrialGraphError } from './trial-graph.js';

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'";

export interface ServerContext {
  campaigns: CampaignSet;
  assets: Map<string, Asset>;
  token: string | undefined;
  queueViews(): QueueView[];
  redis: boolean;
}

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  constructor() {
    // A comment line now and then keeps proxies from closing an idle stream and reveals dead clients.
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), 15_000);
    this.heartbeat.unref();
  }
  add(res: ServerResponse): void {
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }
  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
  private write(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }
  get size(): number {
    return this.clients.size;
  }
  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': PAGE_CSP,
    ...extra,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

export function createHandler(ctx: ServerContext, hub: SseHub): (req: IncomingMessage, res: ServerResponse) => void {
  const spaces = new SpaceCache();

  const trialOf = (url: URL) => {
    const key = url.searchParams.get('c') ?? '';
    const id = url.searchParams.get('id') ?? '';
    const w = ctx.campaigns.byKey.get(key);
    if (!w) throw new TrialGraphError(`no campaign ${JSON.stringify(key.slice(0, 80))} here`);
    const detail = w.state.findTrial(id);
    if (!detail) throw new TrialGraphError(`no trial ${JSON.stringify(id.slice(0, 80))} in campaign ${key}`);
    return { w, detail };
  };

  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    } catch {
      return sendError(res, 400, 'bad request URL');
    }
    const auth = authorize(req, url, ctx.token);
    if (!auth.ok) return sendError(res, auth.status, auth.message);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, 'read-only: GET and HEAD only');
    }
    const path = url.pathname;
    try {
      const a = ctx.assets.get(path);
      if (a) {
        const extra: Record<string, string> = {
          'Cache-Control': path === '/' ? 'no-store' : 'max-age=300',
          Vary: 'Accept-Encoding',
        };
        // Opened with ?token=: remember it in a cookie so module imports and /events carry it.
        if (auth.viaQuery && ctx.token)
          extra['Set-Cookie'] = `${TOKEN_COOKIE}=${encodeURIComponent(ctx.token)}; Path=/; HttpOnly; SameSite=Strict`;
        const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        if (gz) extra['Content-Encoding'] = 'gzip';
        return send(res, 200, a.type, gz ? a.gzip : a.body, extra);
      }
      switch (path) {
        case '/events': {
          res.writeHead(200, {
            'Content-Type': 'text/event-stream; charset=utf-8',
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
            Connection: 'keep-alive',
          });
          if (req.method === 'HEAD') return void res.end();
          res.write('retry: 2000\n\n');
          res.write(
            `event: snapshot\ndata: ${JSON.stringify({ campaigns: ctx.campaigns.snapshot(), studies: ctx.campaigns.studyViews(), redis: ctx.redis, queues: ctx.queueViews() })}\n\n`,
          );
          hub.add(res);
          return;
        }
        case '/api/state':
          return sendJson(res, 200, {
            campaigns: ctx.campaigns.snapshot(),
            studies: ctx.campaigns.studyViews(),
            redis: ctx.redis,
            queues: ctx.queueViews(),
          });
        case '/api/trial': {
          const { w, detail } = trialOf(url);
          let graph: { source: string; name: string; note?: string } | { error: string };
          try {
            const g = loadTrialGraph(w.state.dir, detail.row.id, detail.decisions, w.state.config, spaces);
            graph = { source: g.source, name: g.graph.name, ...(g.note ? { note: g.note } : {}) };
          } catch (err) {
            graph = { error: (err as Error).message };
          }
          return sendJson(res, 200, {
            campaign: w.state.header().name,
            key: w.state.key,
            row: detail.row,
            hash: detail.row.hash,
            decisions: labelledDecisions(w.state.config, detail.decisions, spaces),
            result: detail.told ?? null,
            graph,
          });
        }
        case '/api/graph.svg': {
          const { w, detail } = trialOf(url);
          const g = loadTrialGraph(w.state.dir, detail.row.id, detail.decisions, w.state.config, spaces);
          return send(res, 200, 'image/svg+xml; charset=utf-8', renderSvg(g.graph), {
            'Content-Security-Policy': SVG_CSP,
            'X-Graph-Source': g.source,
          });
        }
        case '/api/graph.json': {
          const { w, detail } = trialOf(url);
          const g = loadTrialGraph(w.state.dir, detail.row.id, detail.decisions, w.state.config, spaces);
          return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(g.graph, null, 2) + '\n', {
            'Content-Disposition': `attachment; filename="${detail.row.id}.graph.json"`,
            'X-Graph-Source': g.source,
          });
        }
        case '/api/study-report': {
          // The folder comes from the study opened under that key, never from the URL: no path to escape.
          const key = url.searchParams.get('s') ?? '';
          const dir = ctx.campaigns.studyDir(key);
          if (dir === undefined) return sendError(res, 404, `no study ${JSON.stringify(key.slice(0, 80))} here`);
          const text = readStudyReport(dir);
          if (text === undefined) return sendError(res, 404, `study ${key} has no ${REPORT_FILE} (yet)`);
          // Plain text so the browser shows it rather than downloading it; never rendered as HTML.
          return send(res, 200, 'text/plain; charset=utf-8', text, {
            'Content-Disposition': `inline; filename="${REPORT_FILE}"`,
          });
        }
        case '/favicon.ico':
          res.writeHead(204).end();
          return;
        default:
          return sendError(res, 404, `no such page: ${path.slice(0, 100)}`);
      }
    } catch (err) {
      if (err instanceof TrialGraphError) return sendError(res, 404, err.message);
      return sendError(res, 500, (err as Error).message);
    }
  };
}

/** Turns campaign updates and Redis views into SSE messages. */
export function broadcastUpdate(hub: SseHub, u: CampaignUpdate): void {
  hub.send('campaign', u);
}
export function broadcastQueue(hub: SseHub, v: QueueView): void {
  hub.send('queue', v);
}
export function broadcastStudies(hub: SseHub, studies: StudyView[]): void {
  hub.send('studies', studies);
}
