// Campaign cards (controller, space, budget, progress, ETA, failures, the best trial by reward with its
// AP, what the cost figures were measured at) and the running trials
// (from the journal: asked but not told; with --redis, their training progress from BullMQ).
import { clear, el, fmt } from './dom.js';

function budgetText(b) {
  const parts = [];
  if (b.trials !== undefined) parts.push(`${b.trials} trials`);
  if (b.wallSeconds !== undefined) parts.push(fmt.secs(b.wallSeconds));
  return parts.join(' / ') || '–';
}

/** The cost ledger (src/campaign/ledger.ts): "12,400 steps · 530 CPU-s". */
function spentText(l) {
  if (!l) return '–';
  const n = (x) => Math.round(x).toLocaleString('en-US');
  return `${n(l.steps)} steps · ${n(l.cpuSeconds)} CPU-s`;
}

/** Per rung, for the tooltip: "rung 0: 14 jobs, 2,100 steps, 90 CPU-s". */
function spentTitle(l) {
  if (!l) return '';
  const n = (x) => Math.round(x).toLocaleString('en-US');
  return Object.entries(l.byRung)
    .map(
      ([k, e]) =>
        `${k === 'all' ? 'all trials' : `rung ${k}`}: ${e.jobs} jobs, ${n(e.steps)} steps, ${n(e.cpuSeconds)} CPU-s`,
    )
    .join('\n');
}

export function renderCards(target, campaigns) {
  const frag = document.createDocumentFragment();
  for (const { header: h, color } of campaigns) {
    const total = h.budget.trials;
    const pct = total
      ? Math.min(100, (100 * h.told) / total)
      : h.budget.wallSeconds
        ? Math.min(100, (100 * h.elapsed) / h.budget.wallSeconds)
        : 0;
    const state = h.finished
      ? el('span', { class: 'badge done' }, `finished (${h.finished.reason})`)
      : el('span', { class: 'badge' }, h.told === 0 && h.asked === 0 ? 'waiting' : 'running');
    const card = el(
      'article',
      { class: 'card', style: { '--c': color }, 'data-campaign': h.key },
      el('h2', null, el('span', null, h.name), state),
      el(
        'dl',
        null,
        el('dt', null, 'controller'),
        el('dd', null, h.controller ?? '?'),
        el('dt', null, 'space'),
        el('dd', null, h.space ?? '?'),
        el('dt', null, 'budget'),
        el('dd', null, budgetText(h.budget)),
        el('dt', null, 'progress'),
        el('dd', { class: 'progress-text' }, `${h.told}${total ? ` / ${total}` : ''} told`),
        el('dt', null, 'running'),
        el('dd', null, String(h.running)),
        el('dt', null, 'ETA'),
        el('dd', null, h.eta === undefined ? '–' : h.eta === 0 ? 'done' : fmt.secs(h.eta)),
        el('dt', null, 'failures'),
        el('dd', null, `${h.failed} failed, ${h.invalid} invalid`),
        el('dt', null, 'elapsed'),
        el('dd', null, fmt.secs(h.elapsed)),
        el('dt', null, 'spent'),
        el('dd', { class: 'spent-text', title: spentTitle(h.ledger) }, spentText(h.ledger)),
        // The campaign's best is its highest reward (the server ranks); the AP is that trial's.
        el('dt', null, 'best'),
        el(
          'dd',
          { class: 'best-text', title: "the best trial by the campaign's objective (highest reward); its AP" },
          h.bestReward === undefined
            ? '–'
            : `(reward ${fmt.ap(h.bestReward)}): AP ${fmt.ap(h.bestAP)} (${h.bestTrial})`,
        ),
        el('dt', null, 'folder'),
        el('dd', { title: h.dir }, h.dir.split('/').slice(-2).join('/')),
      ),
      h.costs ? el('p', { class: 'costs' }, `MACs, params: ${h.costs.label}`) : null,
      el('div', { class: 'bar', title: `${pct.toFixed(1)}%` }, el('i', { style: { width: `${pct}%` } })),
      h.problems.length ? el('ul', { class: 'problems' }, ...h.problems.map((p) => el('li', null, p))) : null,
    );
    frag.append(card);
  }
  clear(target).append(frag);
}

/** running: rows with st 'running'; queues: Map key → QueueView (with --redis). */
export function renderRunning(section, campaigns, queues, redis) {
  const body = section.querySelector('tbody');
  const byId = new Map();
  for (const v of queues.values()) for (const j of v.active ?? []) byId.set(j.trialId, j);
  const rows = [];
  for (const c of campaigns) for (const r of c.rows) if (r.st === 'running') rows.push({ c, r, job: byId.get(r.id) });
  section.hidden = rows.length === 0 && !redis;
  const frag = document.createDocumentFragment();
  for (const { c, r, job } of rows) {
    const p = job?.progress;
    const frac = p && p.steps ? Math.min(1, (p.step ?? 0) / p.steps) : undefined;
    frag.append(
      el(
        'tr',
        { 'data-trial': r.id },
        el('td', { class: 't' }, c.header.name),
        el('td', { class: 't' }, r.id),
        el('td', { class: 't' }, job?.worker ?? (redis ? (job ? '?' : 'queued') : '')),
        el(
          'td',
          null,
          frac === undefined
            ? redis
              ? '–'
              : 'no --redis'
            : el(
                'span',
                null,
                el('span', { class: 'progress' }, el('i', { style: { width: `${(frac * 100).toFixed(1)}%` } })),
                ` ${p.step}/${p.steps}`,
              ),
        ),
        el('td', null, p?.loss === undefined ? '–' : p.loss.toFixed(4)),
        el('td', null, p?.imagesPerSecond === undefined ? '–' : p.imagesPerSecond.toFixed(1)),
        el('td', null, job?.startedAt ? new Date(job.startedAt).toLocaleTimeString() : '–'),
      ),
    );
  }
  const errors = [...queues.values()].filter((v) => !v.ok).map((v) => v.error);
  if (errors.length) frag.append(el('tr', null, el('td', { colspan: 7, class: 't err' }, errors.join('; '))));
  clear(body).append(frag);
}
