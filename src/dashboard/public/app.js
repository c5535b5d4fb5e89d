// The page's state and wiring: one EventSource (/events) brings a snapshot, then campaign and queue
// updates; renders are batched to one per animation frame so a burst of told trials costs one redraw.
import { Charts } from './charts.js';
import { DetailPane } from './detail.js';
import { clear, el, PALETTE } from './dom.js';
import { renderCards, renderRunning } from './header.js';
import { TrialTable } from './table.js';

const campaigns = new Map(); // key → { header, rows: Map<index, row>, color }
const queues = new Map(); // key → QueueView
let redis = false;
let dirty = false;
let firstRender = true;

const sortedRows = (c) => [...c.rows.values()].sort((a, b) => a.i - b.i);
const list = () => [...campaigns.values()].map((c) => ({ header: c.header, rows: sortedRows(c), color: c.color }));

const panes = {
  a: new DetailPane(document.getElementById('pane-a'), 'a'),
  b: new DetailPane(document.getElementById('pane-b'), 'b'),
};
function pick(row, slot = 'a') {
  panes[slot].show(row);
  table.render();
  if (slot === 'a' || slot === 'b')
    document.getElementById('detail').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}
const table = new TrialTable(
  {
    name: (k) => campaigns.get(k)?.header.name ?? k,
    color: (k) => campaigns.get(k)?.color ?? '#999',
    best: (k) => campaigns.get(k)?.header.bestTrial, // ranked by the server (the campaign's definition)
    selected: () => ({ a: panes.a.current, b: panes.b.current }),
  },
  pick,
);
const charts = new Charts((row) => pick(row, 'a'));

function upsert(header, rows, reset) {
  let c = campaigns.get(header.key);
  if (!c) {
    c = { header, rows: new Map(), color: PALETTE[campaigns.size % PALETTE.length] };
    campaigns.set(header.key, c);
    // A study's campaigns are grouped under its name in the campaign filter.
    const select = document.getElementById('f-campaign');
    let parent = select;
    if (header.study) {
      parent = [...select.querySelectorAll('optgroup')].find((g) => g.label === header.study);
      if (!parent) parent = select.appendChild(el('optgroup', { label: header.study }));
    }
    parent.append(el('option', { value: header.key }, header.name));
  }
  c.header = header;
  if (reset) c.rows.clear();
  for (const r of rows) c.rows.set(r.i, r);
}

/** The study folders opened: their name, campaign count and, once it exists, a link to report.md. */
function renderStudies(studies) {
  const nav = clear(document.getElementById('studies'));
  for (const s of studies) {
    const n = s.campaigns.length;
    nav.append(
      el(
        'span',
        { class: 'study', title: s.dir },
        `study ${s.key}: ${n} campaign${n === 1 ? '' : 's'}`,
        s.report
          ? el(
              'a',
              { href: `/api/study-report?s=${encodeURIComponent(s.key)}`, target: '_blank', rel: 'noopener' },
              'report.md',
            )
          : null,
      ),
    );
  }
}

function render() {
  dirty = false;
  performance.mark('render-start');
  const all = list();
  renderCards(document.getElementById('campaigns'), all);
  renderRunning(document.getElementById('running'), all, queues, redis);
  table.setRows(all.flatMap((c) => c.rows));
  performance.mark('table-done');
  charts.update(all);
  performance.mark('charts-done');
  if (firstRender) {
    firstRender = false;
    window.__dashboard.readyAt = performance.now(); // the benchmark's "table populated" time
    document.body.dataset.ready = 'true'; // tests and the benchmark wait for this
  }
}
function schedule() {
  if (!dirty) {
    dirty = true;
    requestAnimationFrame(render);
  }
}

const conn = document.getElementById('conn');
function connect() {
  const es = new EventSource('/events');
  es.addEventListener('open', () => {
    conn.textContent = 'live';
    conn.className = 'conn live';
  });
  es.addEventListener('error', () => {
    conn.textContent = 'reconnecting…';
    conn.className = 'conn down';
  });
  es.addEventListener('snapshot', (e) => {
    performance.mark('snapshot');
    const s = JSON.parse(e.data);
    redis = s.redis;
    queues.clear();
    for (const v of s.queues) queues.set(v.key, v);
    for (const c of s.campaigns) upsert(c.header, c.rows, true);
    renderStudies(s.studies ?? []);
    schedule();
  });
  es.addEventListener('campaign', (e) => {
    const u = JSON.parse(e.data);
    upsert(u.header, u.rows, u.reset);
    // An open trial that was running and is now told: show its result.
    for (const r of u.rows) {
      for (const pane of Object.values(panes))
        if (pane.current === `${r.c}/${r.id}` && pane.state !== r.st) pane.show(r);
    }
    schedule();
  });
  es.addEventListener('studies', (e) => renderStudies(JSON.parse(e.data)));
  es.addEventListener('queue', (e) => {
    const v = JSON.parse(e.data);
    queues.set(v.key, v);
    schedule();
  });
}
connect();

// For tests and the benchmark: a read-only look at what the page holds.
window.__dashboard = { campaigns, charts, table };
