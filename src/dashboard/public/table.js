// The trials table: sortable by any column (click a header; again to reverse), filterable by campaign,
// state, minimum AP and free text (trial id, worker, error). By default it is ranked the campaign's way
// (best.js: highest reward first, ties by index) and each campaign's best row is marked.
// MACs and params are the proxy's figures (the campaign cards say at which width and input size). Rows are rebuilt from the data on each
// render, PAGE at a time: more are appended as the list is scrolled down, because laying out thousands of
// rows at once costs hundreds of milliseconds before the first paint. Every cell is text.
import { rankable } from './best.js';
import { clear, el, fmt } from './dom.js';

const COLUMNS = [
  {
    key: 'c',
    label: 'campaign',
    cls: 't',
    text: (r, ctx) => ctx.name(r.c),
    node: (r, ctx) => el('span', null, el('i', { class: 'swatch', style: { '--c': ctx.color(r.c) } }), ctx.name(r.c)),
  },
  { key: 'i', label: '#', text: (r) => String(r.i) },
  {
    key: 'id',
    label: 'trial',
    cls: 't',
    text: (r) => r.id,
    node: (r, ctx) =>
      el(
        'span',
        null,
        r.id,
        ctx.best(r.c) === r.id
          ? el('span', { class: 'badge best', title: 'best trial of its campaign (highest reward)' }, 'best')
          : null,
      ),
  },
  { key: 'st', label: 'state', cls: 't', text: (r) => r.st, node: (r) => el('span', { class: `st st-${r.st}` }, r.st) },
  // Sorted as ranked: only complete trials compete (a failed trial's reward is what the controller was told).
  { key: 'reward', label: 'reward', text: (r) => fmt.ap(r.reward), value: (r) => (rankable(r) ? r.reward : undefined) },
  { key: 'AP', label: 'AP', text: (r) => fmt.ap(r.AP) },
  { key: 'APs', label: 'APs', text: (r) => fmt.ap(r.APs) },
  { key: 'APm', label: 'APm', text: (r) => fmt.ap(r.APm) },
  { key: 'APl', label: 'APl', text: (r) => fmt.ap(r.APl) },
  {
    key: 'macs',
    label: 'MACs (proxy)',
    title: "neck MACs at the proxy's width and input size (see the campaign card)",
    text: (r) => fmt.count(r.macs),
  },
  {
    key: 'params',
    label: 'params (proxy)',
    title: "neck params at the proxy's width (see the campaign card)",
    text: (r) => fmt.count(r.params),
  },
  { key: 'wall', label: 'wall', text: (r) => fmt.secs(r.wall) },
  { key: 'worker', label: 'worker', cls: 't', text: (r) => r.worker ?? '' },
  { key: 'err', label: 'error', cls: 'err', text: (r) => r.err ?? '' },
];

const PAGE = 200;

export class TrialTable {
  constructor(ctx, onPick) {
    this.ctx = ctx; // { name(key), color(key), best(key) → trial id, selected() → {a, b} }
    this.onPick = onPick;
    this.table = document.getElementById('trial-table');
    this.body = this.table.tBodies[0];
    this.sort = { key: 'reward', dir: -1 }; // best first
    this.filters = { campaign: '', state: '', minAP: undefined, text: '' };
    this.rows = [];
    this.visible = [];
    this.shown = 0; // rows in the DOM (a prefix of this.visible)
    const scroller = this.table.closest('.scroll');
    scroller.addEventListener('scroll', () => {
      if (this.shown < this.visible.length && scroller.scrollTop + scroller.clientHeight > scroller.scrollHeight - 300)
        this.appendRows(this.shown + PAGE);
    });
    const head = this.table.tHead.rows[0];
    for (const col of COLUMNS) {
      head.append(
        el(
          'th',
          { class: col.cls, 'data-key': col.key, title: col.title, onclick: () => this.sortBy(col.key) },
          col.label,
        ),
      );
    }
    const on = (id, f) =>
      document.getElementById(id).addEventListener('input', (e) => {
        f(e.target.value);
        this.render();
      });
    on('f-campaign', (v) => (this.filters.campaign = v));
    on('f-state', (v) => (this.filters.state = v));
    on('f-ap', (v) => (this.filters.minAP = v === '' ? undefined : Number(v)));
    on('f-text', (v) => (this.filters.text = v.trim().toLowerCase()));
    // One listener for all rows (cheaper than one per row).
    this.body.addEventListener('click', (e) => {
      const tr = e.target.closest('tr');
      const row = tr && this.visible[Number(tr.dataset.k)];
      if (row) this.onPick(row, e.shiftKey ? 'b' : 'a');
    });
  }

  sortBy(key) {
    this.sort =
      this.sort.key === key
        ? { key, dir: -this.sort.dir }
        : { key, dir: key === 'i' || key === 'AP' || key === 'reward' ? -1 : 1 };
    this.render();
  }

  setRows(rows) {
    this.rows = rows;
    this.render();
  }

  matches(r) {
    const f = this.filters;
    if (f.campaign && r.c !== f.campaign) return false;
    if (f.state && r.st !== f.state) return false;
    if (f.minAP !== undefined && !(r.AP >= f.minAP)) return false;
    if (f.text && !`${r.id} ${r.worker ?? ''} ${r.err ?? ''}`.toLowerCase().includes(f.text)) return false;
    return true;
  }

  render() {
    const { key, dir } = this.sort;
    const value = COLUMNS.find((c) => c.key === key)?.value ?? ((r) => r[key]);
    const cmp = (a, b) => {
      const x = value(a),
        y = value(b);
      // Missing values sort last in both directions.
      if (x === undefined || x === null) return y === undefined || y === null ? a.i - b.i : 1;
      if (y === undefined || y === null) return -1;
      const d = typeof x === 'number' ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true });
      return d * dir || (a.c < b.c ? -1 : a.c > b.c ? 1 : a.i - b.i);
    };
    this.visible = this.rows.filter((r) => this.matches(r)).sort(cmp);
    // Keep as many rows as were scrolled into view (a live update must not snap the list back).
    const want = Math.max(PAGE, this.shown);
    this.shown = 0;
    clear(this.body);
    this.appendRows(want);
    for (const th of this.table.tHead.rows[0].cells) {
      th.classList.toggle('sorted', th.dataset.key === key);
      th.classList.toggle('asc', th.dataset.key === key && dir > 0);
    }
    const more = this.visible.length > this.shown ? ` (scroll for more)` : '';
    document.getElementById('trial-count').textContent = `${this.visible.length} of ${this.rows.length}${more}`;
  }

  /** Appends rows of this.visible up to index `upTo`. */
  appendRows(upTo) {
    const sel = this.ctx.selected();
    const frag = document.createDocumentFragment();
    const end = Math.min(upTo, this.visible.length);
    for (let k = this.shown; k < end; k++) {
      const r = this.visible[k];
      const cls = [
        sel.a === `${r.c}/${r.id}` ? 'sel-a' : sel.b === `${r.c}/${r.id}` ? 'sel-b' : '',
        this.ctx.best(r.c) === r.id ? 'best' : '',
      ]
        .filter(Boolean)
        .join(' ');
      const tr = el('tr', { 'data-k': k, 'data-trial': r.id, class: cls || undefined });
      for (const col of COLUMNS) {
        const td = el('td', { class: col.cls });
        if (col.node) td.append(col.node(r, this.ctx));
        else td.textContent = col.text(r, this.ctx);
        if (col.key === 'err' && r.err) td.title = r.err;
        tr.append(td);
      }
      frag.append(tr);
    }
    this.body.append(frag);
    this.shown = end;
    if (this.visible.length === this.shown)
      document.getElementById('trial-count').textContent = `${this.visible.length} of ${this.rows.length}`;
  }
}
