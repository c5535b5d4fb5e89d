// `pyramid-nas search … --dashboard`: the dashboard starts beside the running campaign (URL on stderr),
// serves the page, /api/state and the /events stream with the campaign in them while it runs, and goes
// away with the campaign (at its end and on SIGINT). A port in use is a usage error (exit 2, nothing
// written). The fake trainer (PYRAMID_NAS_TRAINER=fake) makes trials take a known, short time.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const root = mkdtempSync(join(tmpdir(), 'pnas-cli-dash-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], fake: object): Running {
  const env = { ...process.env, PYRAMID_NAS_TRAINER: 'fake', PYRAMID_NAS_FAKE: JSON.stringify(fake) };
  const child = spawn(process.execPath, ['bin/pyramid-nas.mjs', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '',
    stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves when the child exits; kills it and fails after `ms`. */
async function exitWithin(r: Running, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      r.child.kill('SIGKILL');
      reject(new Error(`still running after ${ms} ms\nstderr: ${r.stderr()}`));
    }, ms);
  });
  try {
    return await Promise.race([r.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}
async function freePort(): Promise<number> {
  const srv = await listen();
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function campaignFile(name: string, trials: number): { file: string; out: string } {
  // The output folder's name differs from the campaign's, so seeing the name proves the journal was read.
  const out = join(root, 'results', `${name}-out`);
  const file = join(root, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      seed: 4,
      space: { name: 'nas-fpn', options: { cells: 5, levels: { min: 3, max: 5 } } },
      controller: { kind: 'random' },
      budget: { trials },
      concurrency: 2,
      output: out,
    }),
  );
  return { file, out };
}

interface StateCampaign {
  header: { name: string; asked: number; told: number };
  rows: Array<{ id: string; st: string }>;
}

/** Reads server-sent events until `want` accepts one (or the deadline passes). */
async function readEvents(
  url: string,
  want: (event: string, data: unknown) => boolean,
  ms: number,
): Promise<{ event: string; data: unknown }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    const res = await fetch(url, { signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended before the campaign showed up');
      buf += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) {
          const parsed = JSON.parse(data) as unknown;
          if (want(event, parsed)) return { event, data: parsed };
        }
      }
    }
  } catch (err) {
    if (ac.signal.aborted) throw new Error(`no matching event on ${url} within ${ms} ms`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

describe('pyramid-nas search --dashboard', () => {
  test('serves the page, the state and the event stream of the running campaign, and stops with it', async () => {
    const { file } = campaignFile('dashcamp', 10);
    const port = await freePort();
    // 10 trials of 500–800 ms on 2 processes: a few seconds of campaign to look at.
    const r = start(['search', file, '--dashboard', '--dashboard-port', String(port)], { delayMs: [500, 800] });
    try {
      const url = await waitFor(
        'the dashboard URL on stderr',
        () =>
          /dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(r.stderr()) ??
          (r.child.exitCode !== null ? ['', 'exited'] : undefined),
        30_000,
      );
      assert.notEqual(url[1], 'exited', `search exited first: ${r.stderr()}`);
      assert.equal(Number(url[2]), port);
      const base = url[1];

      const page = await fetch(base);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>pyramid-nas dashboard<\/title>/);

      // The event stream: the snapshot or a later update carries the campaign once its journal exists.
      const named = (c: unknown) => (c as StateCampaign | undefined)?.header?.name === 'dashcamp';
      const ev = await readEvents(
        `${base}events`,
        (event, data) => {
          if (event === 'snapshot') return (data as { campaigns: unknown[] }).campaigns.some(named);
          return event === 'campaign' && named(data);
        },
        30_000,
      );
      assert.ok(ev.event === 'snapshot' || ev.event === 'campaign');

      // The JSON state while the campaign still runs: trials asked, not all of them told yet.
      const state = await waitFor(
        'the campaign in /api/state',
        async () => {
          const s = (await (await fetch(`${base}api/state`)).json()) as { campaigns: StateCampaign[] };
          return s.campaigns.find((c) => c.header.name === 'dashcamp' && c.header.asked > 0);
        },
        30_000,
      );
      assert.ok(state.header.told < 10, `told ${state.header.told} of 10 while running`);
      assert.ok(state.rows.length > 0 && state.rows.every((row) => /^dashcamp-\d+$/.test(row.id)));

      const end = await exitWithin(r, 60_000);
      assert.equal(end.code, 0, r.stderr());
      assert.match(r.stdout(), /campaign dashcamp finished \(trials\): 10 trials/);
      await assert.rejects(fetch(base), 'the dashboard is gone with the campaign');
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  test('SIGINT stops the campaign and the dashboard', async () => {
    const { file } = campaignFile('dashstop', 50);
    const r = start(['search', file, '--dashboard', '--dashboard-port', String(await freePort())], { delayMs: 2000 });
    try {
      const url = await waitFor(
        'the dashboard URL on stderr',
        () => /dashboard: (http:\/\/\S+)/.exec(r.stderr()) ?? (r.child.exitCode !== null ? ['', 'exited'] : undefined),
        30_000,
      );
      assert.notEqual(url[1], 'exited', `search exited first: ${r.stderr()}`);
      assert.equal((await fetch(url[1])).status, 200);
      r.child.kill('SIGINT');
      const end = await exitWithin(r, 20_000);
      assert.equal(end.code, 130, r.stderr());
      assert.match(r.stderr(), /SIGINT: stopping/);
      await assert.rejects(fetch(url[1]));
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  test('a dashboard port in use exits 2 naming --dashboard-port, and writes nothing', async () => {
    const { file, out } = campaignFile('dashbusy', 2);
    const busy = await listen();
    try {
      const port = (busy.address() as { port: number }).port;
      const r = start(['search', file, '--dashboard-port', String(port)], {});
      const end = await exitWithin(r, 30_000);
      assert.equal(end.code, 2, r.stderr());
      assert.match(r.stderr(), new RegExp(`--dashboard-port: ${port} is in use`));
      assert.equal(existsSync(out), false);
      const bad = start(['search', file, '--dashboard', '--dashboard-port', 'eighty'], {});
      assert.equal((await exitWithin(bad, 30_000)).code, 2);
    } finally {
      await new Promise((res) => busy.close(res));
    }
  });
});
