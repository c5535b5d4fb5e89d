// The trial panes: pane A (click) and pane B (shift-click) side by side, each with the trial's pyramid
// picture (the server renders it with the project's renderSvg; shown as an <img>, so the SVG can never
// run anything), a download of its graph JSON, its decisions, and its full result.
import { apiUrl, clear, el, fmt } from './dom.js';

export class DetailPane {
  constructor(node, slot) {
    this.node = node;
    this.slot = slot;
    this.current = undefined; // 'campaignKey/trialId'
    this.seq = 0;
  }

  async show(row) {
    const ticket = ++this.seq;
    this.current = `${row.c}/${row.id}`;
    this.state = row.st; // app.js re-shows the pane when the trial's state changes (running → told)
    const q = { c: row.c, id: row.id };
    this.node.className = `pane ${this.slot}`;
    clear(this.node).append(el('p', { class: 'empty' }, `loading ${row.id}…`));
    let d;
    try {
      const res = await fetch(apiUrl('/api/trial', q));
      d = await res.json();
      if (!res.ok) throw new Error(d.error ?? res.statusText);
    } catch (err) {
      if (ticket === this.seq) clear(this.node).append(el('p', { class: 'problems' }, `${row.id}: ${err.message}`));
      return;
    }
    if (ticket !== this.seq) return; // a newer click won
    const r = d.row;
    const graphOk = !d.graph.error;
    const m = d.result?.metrics ?? {};
    const metrics = el(
      'table',
      { class: 'grid' },
      el(
        'tbody',
        null,
        ...[
          ['state', r.st],
          ['reward', r.reward === undefined ? '–' : r.reward.toFixed(4)],
          ['AP', fmt.ap(r.AP)],
          ['AP50', fmt.ap(r.AP50)],
          ['AP75', fmt.ap(r.AP75)],
          ['APs / APm / APl', `${fmt.ap(r.APs)} / ${fmt.ap(r.APm)} / ${fmt.ap(r.APl)}`],
          ['MACs (proxy)', fmt.count(r.macs)],
          ['params (proxy)', fmt.count(r.params)],
          ['wall', fmt.secs(r.wall)],
          ['train', fmt.secs(m.trainSeconds)],
          ['backend', m.backend ?? '–'],
          ['worker', r.worker ?? '–'],
          ['hash', (d.hash || '–').slice(0, 16)],
        ].map(([k, v]) => el('tr', null, el('th', { class: 't' }, k), el('td', { class: 't' }, String(v)))),
      ),
    );
    const decisions = el(
      'table',
      { class: 'grid decisions' },
      el(
        'thead',
        null,
        el(
          'tr',
          null,
          el('th', { class: 't' }, 'decision'),
          el('th', null, 'token'),
          el('th', { class: 't' }, 'means'),
        ),
      ),
      el(
        'tbody',
        null,
        ...d.decisions.map((x) =>
          el(
            'tr',
            null,
            el('td', { class: 't' }, x.slot),
            el('td', null, String(x.token)),
            el('td', { class: 't' }, x.label),
          ),
        ),
      ),
    );
    clear(this.node).append(
      ...[
        el(
          'h3',
          null,
          el('span', { class: 'trial-id' }, r.id),
          el('span', { class: `st st-${r.st}` }, r.st),
          el('small', null, d.campaign),
          graphOk
            ? el(
                'small',
                { class: 'graph-name' },
                `graph: ${d.graph.name}${d.graph.source === 'decoded' ? ' (decoded from decisions)' : ''}`,
              )
            : null,
        ),
        r.err ? el('p', { class: 'problems trial-error' }, d.result?.error ?? r.err) : null,
        el(
          'div',
          { class: 'actions' },
          graphOk
            ? el(
                'a',
                { href: apiUrl('/api/graph.json', q), download: `${r.id}.graph.json`, class: 'download' },
                'download graph JSON',
              )
            : null,
          graphOk
            ? el('a', { href: apiUrl('/api/graph.svg', q), target: '_blank', rel: 'noopener' }, 'open SVG')
            : null,
        ),
        graphOk
          ? el('img', { class: 'pyramid', alt: `pyramid of ${r.id}`, src: apiUrl('/api/graph.svg', q) })
          : el('p', { class: 'problems' }, d.graph.error),
        d.graph.note ? el('p', { class: 'problems' }, d.graph.note) : null,
        el('div', { class: 'cols' }, metrics, el('div', { class: 'decisions-wrap' }, decisions)),
        el(
          'details',
          null,
          el('summary', null, 'full result (journal told event)'),
          el('pre', { class: 'result-json' }, JSON.stringify(d.result, null, 2)),
        ),
      ].filter(Boolean), // append() would print null as text
    );
  }
}
