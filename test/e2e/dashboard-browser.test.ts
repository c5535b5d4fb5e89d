// The dashboard in a real browser: Debian's Chromium (/usr/bin/chromium, never a downloaded build)
// driven by playwright-core. Two campaigns written here with the campaign's Journal writer; checks the
// table, the plots, a pyramid picture, side-by-side comparison, a trial told later appearing live, and
// that markup in trial data is shown as text and never executed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { Journal, readJournal } from '../../src/campaign/journal.js';
import { recordsFromJournal } from '../../src/campaign/journal-state.js';
import { ranked } from '../../src/campaign/records.js';
import { type Dashboard, startDashboard } from '../../src/dashboard/index.js';
import { writeSyntheticCampaign } from '../../src/testing/synthetic-campaign.js';
import { launchChromium } from './dashboard-chromium.js';

const MARKUP = '<img src=x onerror="window.__pwned=1">';
const root = mkdtempSync(join(tmpdir(), 'dash-e2e-'));
const dirA = join(root, 'alpha');
const dirB = join(root, 'beta');
let dash: Dashboard;
let browser: Browser;
let page: Page;
let running: ReturnType<typeof writeSyntheticCampaign>['trials'][number];

before(async () => {
  // Fail loudly, never skip, when Chromium is missing: CI installs it (.ci/run).
  browser = await launchChromium();
  const a = writeSyntheticCampaign(dirA, { name: 'alpha', trials: 10, running: 1, failRate: 0, seed: 11 });
  writeSyntheticCampaign(dirB, {
    name: 'beta',
    trials: 8,
    controller: 'random',
    failRate: 0,
    seed: 12,
    finished: true,
  });
  running = a.trials[10];
  // Markup where people could put it: a failed trial's error and worker, a graph file's name.
  const j = new Journal(join(dirA, 'journal.jsonl'));
  j.append({ type: 'asked', index: 11, trialId: 'alpha-11', decisions: a.trials[0].decisions, hash: 'x' });
  j.append({
    type: 'told',
    index: 11,
    trialId: 'alpha-11',
    status: 'failed',
    error: MARKUP,
    reward: 0,
    wallSeconds: 1,
    worker: `<b>${MARKUP}</b>`,
    elapsed: 700,
  });
  j.close();
  const gfile = join(dirA, 'graphs', 'alpha-3.graph.json');
  writeFileSync(gfile, JSON.stringify({ ...JSON.parse(readFileSync(gfile, 'utf8')), name: MARKUP }));

  dash = await startDashboard({ dirs: [dirA, dirB], port: 0, pollMs: 200 });
  // bypassCSP: Playwright's string predicates need eval, which the page's CSP forbids. It also means the
  // markup test below relies on escaping alone, not on the CSP as a second wall.
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
  await page.goto(dash.url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await dash?.close();
  rmSync(root, { recursive: true, force: true });
});

// Browser-side code is passed as strings or untyped callbacks: the project compiles without the DOM lib.
const rowIds = () => page.$$eval('#trial-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-trial')));

describe('dashboard in Chromium', () => {
  test('campaign cards and the trials table', async () => {
    const cards = await page.$$eval('.card', (cs) => cs.map((c) => c.querySelector('h2 span')!.textContent));
    assert.deepEqual(cards, ['alpha', 'beta']);
    const ids = await rowIds();
    assert.equal(ids.length, 12 + 8);
    assert.ok(ids.includes('alpha-10') && ids.includes('beta-7'));
    // Filter by state, then by campaign.
    await page.selectOption('#f-state', 'running');
    assert.deepEqual(await rowIds(), ['alpha-10']);
    await page.selectOption('#f-state', '');
    await page.selectOption('#f-campaign', 'beta');
    assert.equal((await rowIds()).length, 8);
    await page.selectOption('#f-campaign', '');
    // Sort by AP, highest first: the first row's AP is the largest of the column.
    await page.click('#trial-table th[data-key=AP]');
    const aps = await page.$$eval('#trial-table tbody tr td:nth-child(6)', (tds) =>
      tds.map((td) => Number(td.textContent)).filter((v) => !Number.isNaN(v)),
    );
    assert.deepEqual(
      aps,
      [...aps].sort((x, y) => y - x),
    );
  });

  test('the three plots draw every complete trial on their canvases', async () => {
    const info = await page.evaluate<Array<{ w: number; inked: number; points: number }>>(`
      ['ap', 'macs', 'params'].map((k) => {
        const canvas = document.querySelector('#chart-' + k + ' canvas');
        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
        // Series come in pairs per campaign; on the AP plot the second of each pair is the best-so-far line.
        const series = window.__dashboard.charts[k].plot.data.slice(1);
        const points = series.reduce((n, s, si) => n + (k === 'ap' && si % 2 === 1 ? 0 : s.filter((v) => v !== null).length), 0);
        return { w: canvas.width, inked, points };
      })`);
    for (const c of info) {
      assert.ok(c.w > 200, 'canvas has a size');
      assert.ok(c.inked > 500, `canvas has drawn pixels (${c.inked})`);
    }
    assert.equal(info[0].points, 10 + 8, 'AP plot: one point per complete trial');
    assert.equal(info[1].points, 10 + 8, 'MACs plot: one point per complete trial, front or dominated');
  });

  test('clicking a point of the Pareto plot opens that trial', async () => {
    // Where uPlot drew the first front point of the first campaign (series 2), in the plot's own pixels.
    const at = await page.evaluate<{ x: number; y: number; id: string }>(`(() => {
      const chart = window.__dashboard.charts.macs, u = chart.plot;
      const k = u.data[2].findIndex((v) => v !== null);
      return { x: u.valToPos(u.data[0][k], 'x'), y: u.valToPos(u.data[2][k], 'y'), id: chart.rowsAt[2][k].id };
    })()`);
    await page.click('#chart-macs .u-over', { position: { x: at.x, y: at.y } });
    await page.waitForFunction(
      `document.querySelector('#pane-a .trial-id')?.textContent === ${JSON.stringify(at.id)}`,
      undefined,
      { timeout: 10_000 },
    );
  });

  test('markup in an error, a worker name and a graph name is shown as text, never run', async () => {
    const row = page.locator('#trial-table tr[data-trial="alpha-11"]');
    assert.equal(await row.locator('td.err').textContent(), MARKUP);
    assert.equal(await row.locator('td:nth-child(13)').textContent(), `<b>${MARKUP}</b>`);
    await page.click('#trial-table tr[data-trial="alpha-3"]');
    await page.waitForSelector('#pane-a .graph-name');
    assert.equal(await page.textContent('#pane-a .graph-name'), `graph: ${MARKUP}`);
    await page.click('#trial-table tr[data-trial="alpha-11"]');
    await page.waitForSelector('#pane-a .trial-error');
    assert.equal(await page.textContent('#pane-a .trial-error'), MARKUP);
    assert.equal(
      await page.locator('main img:not(.pyramid), main b').count(),
      0,
      'no element was made from trial data',
    );
    assert.equal(await page.evaluate('window.__pwned'), undefined);
  });

  test('clicking a trial shows its pyramid, decisions and a download; shift-click compares', async () => {
    await page.click('#trial-table tr[data-trial="alpha-2"]');
    await page.waitForFunction(`document.querySelector('#pane-a img.pyramid')?.naturalWidth > 300`, undefined, {
      timeout: 10_000,
    });
    assert.equal(await page.textContent('#pane-a .trial-id'), 'alpha-2');
    assert.ok((await page.locator('#pane-a table.decisions tbody tr').count()) > 10);
    assert.match(
      String(await page.getAttribute('#pane-a a.download', 'href')),
      /\/api\/graph\.json\?c=alpha&id=alpha-2$/,
    );
    await page.click('#trial-table tr[data-trial="beta-1"]', { modifiers: ['Shift'] });
    await page.waitForFunction(`document.querySelector('#pane-b img.pyramid')?.naturalWidth > 300`, undefined, {
      timeout: 10_000,
    });
    assert.equal(await page.textContent('#pane-b .trial-id'), 'beta-1');
    assert.equal(await page.textContent('#pane-a .trial-id'), 'alpha-2', 'pane A keeps its trial');
  });

  test('a trial told after the page loaded appears live, without a reload', async () => {
    await page.click('#trial-table tr[data-trial="alpha-10"]');
    await page.waitForSelector('#pane-a h3 .st-running');
    const j = new Journal(join(dirA, 'journal.jsonl'));
    j.append({
      type: 'told',
      index: 10,
      trialId: 'alpha-10',
      status: 'complete',
      reward: 0.42,
      wallSeconds: 9,
      worker: 'late',
      elapsed: 800,
      metrics: {
        AP: 0.42,
        AP50: 0.6,
        AP75: 0.4,
        APs: 0.2,
        APm: 0.4,
        APl: 0.5,
        params: 123456,
        macs: 9876543,
        trainSeconds: 8,
        evalSeconds: 1,
        backend: 'wasm',
      },
    });
    j.append({ type: 'asked', index: 12, trialId: 'alpha-12', decisions: running.decisions, hash: 'y' });
    j.close();
    await page.waitForSelector('#trial-table tr[data-trial="alpha-12"]', { timeout: 10_000 });
    // The open pane followed its trial from running to complete.
    await page.waitForSelector('#pane-a h3 .st-complete', { timeout: 10_000 });
    assert.equal(await page.textContent('#pane-a .trial-id'), 'alpha-10');
    await page.selectOption('#f-state', 'complete');
    const row = page.locator('#trial-table tr[data-trial="alpha-10"]');
    assert.equal(await row.locator('td:nth-child(6)').textContent(), '0.4200');
    assert.equal(await page.textContent('.card[data-campaign=alpha] h2 + dl dd.progress-text'), '12 / 11 told'); // 10 + the markup trial + this one, of a budget of 11
    await page.selectOption('#f-state', '');
  });
});

describe('dashboard in Chromium, a long campaign', () => {
  test('the table lays out 200 rows at first and appends more as it is scrolled', async () => {
    const dir = join(root, 'long');
    writeSyntheticCampaign(dir, { name: 'long', trials: 450, writer: 'bulk', graphs: false });
    const d = await startDashboard({ dirs: [dir], port: 0 });
    // This page runs under the dashboard's own CSP: nothing it needs (uPlot's styles included) is refused.
    const p = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const refused: string[] = [];
    p.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    try {
      await p.goto(d.url);
      await p.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
      const count = () => p.locator('#trial-table tbody tr').count();
      assert.equal(await count(), 200);
      assert.equal(await p.textContent('#trial-count'), '450 of 450 (scroll for more)');
      for (const expected of [400, 450]) {
        await p.$eval('#trials .scroll', (s) => s.scrollTo(0, s.scrollHeight));
        await p
          .locator('#trial-table tbody tr')
          .nth(expected - 1)
          .waitFor({ timeout: 5000 });
        assert.equal(await count(), expected);
      }
      assert.equal(await p.textContent('#trial-count'), '450 of 450');
      // Ranked the campaign's way by default: the first row is its best trial (highest reward), marked.
      const best = ranked(recordsFromJournal(readJournal(join(dir, 'journal.jsonl'))))[0].trialId;
      assert.equal(await p.getAttribute('#trial-table tbody tr:first-child', 'data-trial'), best);
      assert.equal(await p.getAttribute('#trial-table tbody tr:first-child', 'class'), 'best');
      assert.match(
        String(await p.textContent('.card[data-campaign=long] dd.best-text')),
        new RegExp(`^\\(reward 0\\.\\d{4}\\): AP 0\\.\\d{4} \\(${best}\\)$`),
      );
      assert.equal(await p.locator('#chart-ap canvas').count(), 1);
      assert.deepEqual(refused, []);
    } finally {
      await p.close();
      await d.close();
    }
  });
});
