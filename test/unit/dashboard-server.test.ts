// The dashboard server over real HTTP on a free loopback port: routes, the read-only rule, the token and
// Host checks, the SVG and JSON endpoints (markup in a graph name stays text), and the SSE stream
// delivering a newly told trial.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Journal } from '../../src/campaign/journal.js';
import { type Dashboard, DashboardOptionsError, startDashboard } from '../../src/dashboard/index.js';
import { writeSyntheticCampaign } from '../../src/testing/synthetic-campaign.js';

const root = mkdtempSync(join(tmpdir(), 'dash-server-'));
const dir = join(root, 'web');
const MARKUP = '<img src=x onerror="alert(1)">';
let dash: Dashboard;
let trials: ReturnType<typeof writeSyntheticCampaign>['trials'];

before(async () => {
  ({ trials } = writeSyntheticCampaign(dir, { name: 'web', trials: 6, running: 2, seed: 3, writer: 'bulk' }));
  const g = JSON.parse(readFileSync(join(dir, 'graphs', 'web-2.graph.json'), 'utf8'));
  writeFileSync(join(dir, 'graphs', 'web-2.graph.json'), JSON.stringify({ ...g, name: MARKUP }));
  dash = await startDashboard({ dirs: [dir], port: 0, pollMs: 100 });
});
after(async () => {
  await dash?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw request (fetch cannot set Host). */
function get(
  url: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard server', () => {
  test('binds loopback by default and serves the page, its modules and uPlot from node_modules', async () => {
    assert.match(dash.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(dash.url);
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\/app\/app\.js">/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    const uplot = await get(dash.url + 'vendor/uPlot.esm.js');
    assert.equal(uplot.status, 200);
    assert.match(uplot.body, /export \{ uPlot as default \}/);
    const gz = await get(dash.url + 'app/app.js', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal((await get(dash.url + 'app/../../package.json')).status, 404);
    assert.equal((await get(dash.url + 'nope')).status, 404);
  });

  test('read-only: anything but GET/HEAD is refused', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await get(dash.url + 'api/state', { method });
      assert.equal(r.status, 405, method);
    }
  });

  test('without a token only loopback Host names are answered (DNS rebinding)', async () => {
    const r = await get(dash.url + 'api/state', { headers: { Host: 'evil.example:80' } });
    assert.equal(r.status, 421);
    const ok = await get(dash.url + 'api/state', { headers: { Host: `localhost:${dash.port}` } });
    assert.equal(ok.status, 200);
  });

  test('state: one campaign with its rows and header', async () => {
    const s = JSON.parse((await get(dash.url + 'api/state')).body);
    assert.equal(s.campaigns.length, 1);
    assert.equal(s.campaigns[0].header.name, 'web');
    assert.equal(s.campaigns[0].rows.length, 8);
    assert.equal(s.campaigns[0].header.running, 2);
  });

  test('trial SVG: the project renderer, markup in the graph name escaped; running trials decoded', async () => {
    const svg = await get(dash.url + 'api/graph.svg?c=web&id=web-2');
    assert.equal(svg.status, 200);
    assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
    assert.equal(svg.headers['x-graph-source'], 'file');
    assert.ok(svg.body.startsWith('<svg'));
    assert.ok(!svg.body.includes('<img'), 'the name must not appear as markup');
    assert.ok(svg.body.includes('&lt;img src=x onerror='));
    const running = await get(dash.url + 'api/graph.svg?c=web&id=web-7');
    assert.equal(running.headers['x-graph-source'], 'decoded');
    assert.equal((await get(dash.url + 'api/graph.svg?c=web&id=web-99')).status, 404);
    assert.equal((await get(dash.url + 'api/graph.svg?c=nope&id=web-1')).status, 404);
  });

  test('graph JSON download and trial detail', async () => {
    const j = await get(dash.url + 'api/graph.json?c=web&id=web-1');
    assert.equal(j.status, 200);
    assert.equal(j.headers['content-disposition'], 'attachment; filename="web-1.graph.json"');
    const g = JSON.parse(j.body);
    assert.equal(g.format, 'pyramid-graph/1');
    assert.deepEqual(g.nodes, trials[1].graph.nodes);
    const d = JSON.parse((await get(dash.url + 'api/trial?c=web&id=web-1')).body);
    assert.equal(d.row.id, 'web-1');
    assert.equal(d.decisions.length, trials[1].decisions.length);
    assert.equal(d.result.type, 'told');
    assert.equal(d.graph.source, 'file');
  });

  test('SSE: a snapshot on connect, then a newly told trial', async () => {
    const ctrl = new AbortController();
    const res = await fetch(dash.url + 'events', { signal: ctrl.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (pred: (t: string) => boolean) => {
      const end = Date.now() + 5000;
      while (!pred(text)) {
        if (Date.now() > end) throw new Error(`SSE: not seen in 5 s; got ${text.slice(-300)}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += Buffer.from(value).toString('utf8');
      }
    };
    await readUntil((t) => t.includes('event: snapshot\n'));
    const j = new Journal(join(dir, 'journal.jsonl'));
    j.append({
      type: 'told',
      index: 6,
      trialId: 'web-6',
      status: 'failed',
      error: MARKUP,
      reward: 0,
      wallSeconds: 3,
      worker: 'w1',
      elapsed: 999,
    });
    j.close();
    await readUntil((t) => /event: campaign\ndata: .*"web-6"/.test(t));
    const data = JSON.parse(/event: campaign\ndata: (.*)\n/.exec(text)![1]);
    assert.equal(data.rows[0].st, 'failed');
    assert.equal(data.rows[0].err, MARKUP);
    assert.equal(data.header.running, 1);
    ctrl.abort();
  });
});

describe('a campaign that starts after the dashboard', () => {
  test('its folder and journal are picked up when they appear', async () => {
    const later = join(root, 'later');
    const d = await startDashboard({ dirs: [later], port: 0, pollMs: 50 });
    try {
      const rows = async () =>
        ((await (await fetch(d.url + 'api/state')).json()) as { campaigns: Array<{ rows: unknown[] }> }).campaigns[0]
          .rows.length;
      assert.equal(await rows(), 0);
      writeSyntheticCampaign(later, { name: 'later', trials: 2, writer: 'bulk' });
      const end = Date.now() + 5000;
      while ((await rows()) !== 2) {
        if (Date.now() > end) throw new Error('the new journal was not picked up in 5 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await d.close();
    }
  });
});

describe('dashboard options', () => {
  test('a non-loopback bind without a token is refused; a short token too', async () => {
    await assert.rejects(
      startDashboard({ dirs: [dir], host: '0.0.0.0', port: 0 }),
      (e: Error) => e instanceof DashboardOptionsError && /--host: 0\.0\.0\.0 is not a loopback/.test(e.message),
    );
    await assert.rejects(startDashboard({ dirs: [dir], port: 0, token: 'short' }), /--token: use at least 8/);
    await assert.rejects(
      startDashboard({ dirs: [join(dir, 'journal.jsonl')], port: 0 }),
      /journal\.jsonl: not a folder/,
    );
    await assert.rejects(startDashboard({ dirs: [], port: 0 }), /at least one campaign folder/);
  });

  test('with a token every request needs it: query (then a cookie), bearer or header', async () => {
    const token = 'sekrit-token-123';
    const d = await startDashboard({ dirs: [dir], port: 0, token, host: '127.0.0.1' });
    try {
      assert.equal((await get(d.url + 'api/state')).status, 401);
      assert.equal((await get(d.url + 'vendor/uPlot.min.css')).status, 401);
      assert.equal((await get(d.url + 'api/state?token=wrong-token-1')).status, 403);
      assert.equal((await get(d.url + 'api/state', { headers: { Authorization: `Bearer ${token}` } })).status, 200);
      assert.equal((await get(d.url + 'api/state', { headers: { 'X-Dashboard-Token': token } })).status, 200);
      assert.equal(
        (await get(d.url + 'api/state', { headers: { 'X-Dashboard-Token': 'nope-nope-nope' } })).status,
        403,
      );
      const page = await get(d.url + `?token=${token}`);
      assert.equal(page.status, 200);
      const cookie = String(page.headers['set-cookie']).split(';')[0];
      assert.match(String(page.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
      assert.equal((await get(d.url + 'app/app.js', { headers: { Cookie: cookie } })).status, 200);
      // With a token the Host check is the token's job: another host name is fine.
      assert.equal(
        (await get(d.url + 'api/state', { headers: { Cookie: cookie, Host: 'nas.example:80' } })).status,
        200,
      );
    } finally {
      await d.close();
    }
  });
});
