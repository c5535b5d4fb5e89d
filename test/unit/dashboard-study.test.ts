// A study folder opened by the dashboard: detected by the study's own folder names, expanded to its campaign
// folders in the study's order (campaign, then seed) and keyed by study, a campaign folder that appears
// while the dashboard runs picked up, and the study's report.md served read-only from that folder only.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { startDashboard } from '../../src/dashboard/index.js';
import {
  hasStudyReport,
  isStudyFolder,
  MAX_STUDY_CAMPAIGNS,
  readStudyReport,
  studyCampaigns,
} from '../../src/dashboard/study.js';
import { CAMPAIGNS_DIR } from '../../src/study/plan.js';
import { REPORT_FILE } from '../../src/study/report.js';
import { writeSyntheticCampaign } from '../../src/testing/synthetic-campaign.js';

const root = mkdtempSync(join(tmpdir(), 'dash-study-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A study folder with tiny synthetic journals, one campaign folder per `<campaign>-s<seed>` id. */
function study(name: string, ids: string[]): string {
  const dir = join(root, name);
  mkdirSync(join(dir, CAMPAIGNS_DIR), { recursive: true });
  for (const id of ids) writeSyntheticCampaign(join(dir, CAMPAIGNS_DIR, id), { name: id, trials: 2, writer: 'bulk' });
  return dir;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not seen in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A raw GET: the path is sent as written (fetch would normalise `..` away before it left). */
function rawGet(url: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          type: String(res.headers['content-type']),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

interface State {
  campaigns: Array<{ header: { key: string; study?: string; dir: string }; rows: unknown[] }>;
  studies: Array<{ key: string; campaigns: string[]; report: boolean }>;
}

describe('study folder detection and expansion', () => {
  test("a study folder is one with the study's campaigns/ folder and no journal of its own", () => {
    const dir = study('detect', ['random-s0']);
    assert.equal(isStudyFolder(dir), true);
    assert.equal(isStudyFolder(join(dir, CAMPAIGNS_DIR, 'random-s0')), false, 'a campaign folder');
    mkdirSync(join(root, 'plain'));
    assert.equal(isStudyFolder(join(root, 'plain')), false, 'an empty folder');
    assert.equal(isStudyFolder(join(root, 'missing')), false);
    mkdirSync(join(root, 'not-dir'));
    writeFileSync(join(root, 'not-dir', CAMPAIGNS_DIR), 'a file, not a folder');
    assert.equal(isStudyFolder(join(root, 'not-dir')), false);
  });

  test('campaigns in the study order: campaign name, then seed as a number; links and files skipped', () => {
    const dir = join(root, 'order');
    const c = join(dir, CAMPAIGNS_DIR);
    for (const id of ['rl-s0', 'random-s10', 'random-s2', 'evolution-asha-s1', 'evolution-s1', 'odd'])
      mkdirSync(join(c, id), { recursive: true });
    writeFileSync(join(c, 'notes-s0'), 'a file');
    symlinkSync(join(root, 'plain'), join(c, 'linked-s0'));
    assert.deepEqual(
      studyCampaigns(dir).map((x) => [x.id, x.campaign, x.seed]),
      [
        ['evolution-s1', 'evolution', 1],
        ['evolution-asha-s1', 'evolution-asha', 1],
        ['odd', 'odd', undefined],
        ['random-s2', 'random', 2],
        ['random-s10', 'random', 10],
        ['rl-s0', 'rl', 0],
      ],
    );
  });

  test(`at most ${MAX_STUDY_CAMPAIGNS} campaigns are followed`, () => {
    const dir = join(root, 'many');
    for (let i = 0; i < MAX_STUDY_CAMPAIGNS + 5; i++)
      mkdirSync(join(dir, CAMPAIGNS_DIR, `c-s${i}`), { recursive: true });
    const all = studyCampaigns(dir);
    assert.equal(all.length, MAX_STUDY_CAMPAIGNS);
    assert.equal(all.at(-1)!.id, `c-s${MAX_STUDY_CAMPAIGNS - 1}`);
  });
});

describe('the dashboard on a study folder', () => {
  test('its campaigns keyed <study>/<campaign>-s<seed>; one that starts later shows up', async () => {
    const dir = study('live', ['random-s1', 'evolution-s0', 'random-s0']);
    const d = await startDashboard({ dirs: [dir], port: 0, pollMs: 50 });
    try {
      const state = async () => (await (await fetch(d.url + 'api/state')).json()) as State;
      const s0 = await state();
      assert.deepEqual(
        s0.campaigns.map((c) => c.header.key),
        ['live/evolution-s0', 'live/random-s0', 'live/random-s1'],
      );
      for (const c of s0.campaigns) {
        assert.equal(c.header.study, 'live');
        assert.equal(c.rows.length, 2);
      }
      assert.deepEqual(s0.studies, [
        { key: 'live', dir, campaigns: s0.campaigns.map((c) => c.header.key), report: false },
      ]);

      // The study goes on: the next campaign's folder is made, then its journal written.
      mkdirSync(join(dir, CAMPAIGNS_DIR, 'rl-s0'));
      await until('the new campaign folder', async () => {
        const s = await state();
        return s.campaigns.some((c) => c.header.key === 'live/rl-s0') && s.studies[0].campaigns.length === 4
          ? s
          : undefined;
      });
      writeSyntheticCampaign(join(dir, CAMPAIGNS_DIR, 'rl-s0'), { name: 'rl-s0', trials: 3, writer: 'bulk' });
      await until('its trials', async () => {
        const rows = (await state()).campaigns.find((c) => c.header.key === 'live/rl-s0')?.rows.length;
        return rows === 3 ? rows : undefined;
      });
    } finally {
      await d.close();
    }
  });

  test('the same study name twice and a campaign folder beside it stay apart', async () => {
    const a = study('twin', ['random-s0']);
    const b = study(join('other', 'twin'), ['random-s0']);
    const lone = join(root, 'lone');
    writeSyntheticCampaign(lone, { name: 'lone', trials: 1, writer: 'bulk' });
    const d = await startDashboard({ dirs: [a, b, lone], port: 0, pollMs: 50 });
    try {
      const s = (await (await fetch(d.url + 'api/state')).json()) as State;
      assert.deepEqual(
        s.campaigns.map((c) => [c.header.key, c.header.study]),
        [
          ['twin/random-s0', 'twin'],
          ['twin~2/random-s0', 'twin~2'],
          ['lone', undefined],
        ],
      );
      assert.deepEqual(
        s.studies.map((x) => x.key),
        ['twin', 'twin~2'],
      );
    } finally {
      await d.close();
    }
  });
});

describe("the study's report", () => {
  test('linked once it exists, served as plain text, only from the study folder', async () => {
    const dir = study('reported', ['random-s0']);
    const d = await startDashboard({ dirs: [dir], port: 0, pollMs: 50 });
    try {
      const report = (q: string) => rawGet(d.url, `/api/study-report${q}`);
      assert.equal((await report('?s=reported')).status, 404, 'no report yet');
      writeFileSync(join(dir, REPORT_FILE), '# Study reported\n\n<script>alert(1)</script>\n');
      await until('the report link', async () => {
        const s = (await (await fetch(d.url + 'api/state')).json()) as State;
        return s.studies[0].report ? true : undefined;
      });
      const r = await report('?s=reported');
      assert.equal(r.status, 200);
      assert.equal(r.type, 'text/plain; charset=utf-8');
      assert.match(r.body, /^# Study reported\n/);

      // The folder is the one opened under that key: nothing in the URL names a path.
      writeFileSync(join(root, REPORT_FILE), 'outside the study');
      for (const q of [
        '?s=..',
        '?s=reported/..',
        '?s=../reported',
        '?s=%2e%2e%2freported',
        '?s=reported/random-s0',
        '',
      ]) {
        const x = await report(q);
        assert.equal(x.status, 404, q);
        assert.doesNotMatch(x.body, /outside the study/, q);
      }
      for (const path of ['/api/study-report/../../report.md', '/api/study-report/..%2f..%2freport.md', '/report.md']) {
        const x = await rawGet(d.url, path);
        assert.equal(x.status, 404, path);
      }
    } finally {
      await d.close();
    }
  });

  test('a report.md that links out of the study folder is neither linked nor read', () => {
    const dir = study('escape', ['random-s0']);
    const secret = join(root, 'secret.md');
    writeFileSync(secret, 'not part of the study');
    symlinkSync(secret, join(dir, REPORT_FILE));
    assert.equal(hasStudyReport(dir), false);
    assert.equal(readStudyReport(dir), undefined);

    const inside = study('inside', ['random-s0']);
    writeFileSync(join(inside, REPORT_FILE), '# ok');
    assert.equal(hasStudyReport(inside), true);
    assert.equal(readStudyReport(inside), '# ok');
    const dirAsReport = study('dir-report', []);
    mkdirSync(join(dirAsReport, REPORT_FILE));
    assert.equal(hasStudyReport(dirAsReport), false);
    assert.equal(readStudyReport(dirAsReport), undefined);
  });
});
