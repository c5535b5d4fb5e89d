// `npm run bench:dashboard`: how fast the dashboard of a 1,000-trial campaign paints on loopback, in
// Debian's headless Chromium (playwright-core). For each of RUNS fresh page loads (new browser context,
// so no cache): first contentful paint (the page's shell) and "table populated" (the snapshot received
// over SSE, the table, cards and three plots drawn). Prints the median of each.
//   npm run bench:dashboard -- --screenshot docs/dashboard.png   also writes the README's screenshot.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';

import { startDashboard } from '../src/dashboard/index.js';
import { writeSyntheticCampaign } from '../src/testing/synthetic-campaign.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 1000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function firstPaint(browser: Browser, root: string): Promise<void> {
  const dir = join(root, 'bench');
  const t0 = performance.now();
  writeSyntheticCampaign(dir, { name: 'bench', trials: TRIALS, running: 4, writer: 'bulk', graphs: false });
  console.log(
    `journal: ${TRIALS} told + 4 running trials, ${(statSync(join(dir, 'journal.jsonl')).size / 1024).toFixed(0)} KiB, written in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  const dash = await startDashboard({ dirs: [dir], port: 0 });
  try {
    const snap = await (await fetch(dash.url + 'api/state')).text();
    console.log(`snapshot: ${(snap.length / 1024).toFixed(0)} KiB of JSON`);
    const fcp: number[] = [];
    const ready: number[] = [];
    for (let r = 0; r < RUNS + 1; r++) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await ctx.newPage();
      await page.goto(dash.url);
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      // A string, not a callback: the project compiles without the DOM lib.
      const m = await page.evaluate<{ fcp: number; ready: number; rows: number; count: string }>(`({
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        ready: window.__dashboard.readyAt,
        rows: document.querySelectorAll('#trial-table tbody tr').length,
        count: document.getElementById('trial-count').textContent,
      })`);
      await ctx.close();
      // The table lays out its first 200 rows; the rest come as it is scrolled (the count says all).
      if (m.rows !== Math.min(200, TRIALS + 4) || !m.count!.startsWith(`${TRIALS + 4} of ${TRIALS + 4}`))
        throw new Error(`table: ${m.rows} rows, "${m.count}"`);
      if (r === 0) continue; // warm-up: the server's first gzip of each asset, Chromium's first start of a renderer
      fcp.push(m.fcp);
      ready.push(m.ready);
      console.log(
        `  load ${r}: first contentful paint ${m.fcp.toFixed(0)} ms, table populated ${m.ready.toFixed(0)} ms`,
      );
    }
    console.log(
      `median of ${RUNS} loads, ${TRIALS} trials, loopback: first contentful paint ${median(fcp).toFixed(0)} ms; table + plots populated ${median(ready).toFixed(0)} ms`,
    );
  } finally {
    await dash.close();
  }
}

/** A realistic page: an evolution and a random campaign (some failures, a few running), two trials open. */
async function screenshot(browser: Browser, root: string, out: string): Promise<void> {
  const evo = join(root, 'evolution-run');
  const rnd = join(root, 'random-run');
  writeSyntheticCampaign(evo, {
    name: 'evolution-run',
    trials: 320,
    running: 2,
    budget: 400,
    controller: 'evolution',
    seed: 7,
    writer: 'bulk',
  });
  writeSyntheticCampaign(rnd, {
    name: 'random-run',
    trials: 240,
    budget: 240,
    controller: 'random',
    seed: 8,
    writer: 'bulk',
    finished: true,
  });
  const dash = await startDashboard({ dirs: [evo, rnd], port: 0 });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, bypassCSP: true }); // string predicates need eval
    await page.goto(dash.url);
    await page.waitForSelector('body[data-ready=true]');
    await page.click('#trial-table th[data-key=AP]');
    const rows = page.locator('#trial-table tbody tr');
    await rows.nth(0).click();
    await rows.nth(1).click({ modifiers: ['Shift'] });
    await page.waitForFunction(
      `[...document.querySelectorAll('#detail img.pyramid')].filter((i) => i.naturalWidth > 0).length === 2`,
    );
    await page.evaluate('window.scrollTo(0, 0)');
    const png = await page.screenshot({ fullPage: true });
    // A palette PNG: the page is flat colours, so this is lossless to the eye and a fraction of the size.
    await sharp(png).resize({ width: 1100 }).png({ palette: true, quality: 90, effort: 10 }).toFile(out);
    console.log(`screenshot: ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
  } finally {
    await dash.close();
  }
}

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  process.exit(2);
}
const shotAt = process.argv.indexOf('--screenshot');
const root = mkdtempSync(join(tmpdir(), 'dash-bench-'));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
try {
  console.log(`bench:dashboard on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${RUNS} runs`);
  await firstPaint(browser, root);
  if (shotAt >= 0) await screenshot(browser, root, process.argv[shotAt + 1] ?? 'docs/dashboard.png');
} finally {
  await browser.close();
  rmSync(root, { recursive: true, force: true });
}
