// DOM helpers. Every piece of trial data reaches the page through textContent (never innerHTML), so a
// graph name or an error message containing markup is shown as the text it is.

/** el('td', { class: 'x', title: 't' }, 'text', childNode, …): attributes are set as attributes, children as text or nodes. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'style') for (const [p, pv] of Object.entries(v)) node.style.setProperty(p, String(pv));
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

export const fmt = {
  ap: (v) => (v === undefined || v === null ? '–' : v.toFixed(4)),
  count: (v) => {
    if (v === undefined || v === null) return '–';
    if (v >= 1e9) return (v / 1e9).toFixed(2) + 'G';
    if (v >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    return String(v);
  },
  secs: (v) => {
    if (v === undefined || v === null || !Number.isFinite(v)) return '–';
    if (v < 60) return v.toFixed(1) + ' s';
    if (v < 3600) return `${Math.floor(v / 60)}m ${String(Math.round(v % 60)).padStart(2, '0')}s`;
    return `${Math.floor(v / 3600)}h ${String(Math.round((v % 3600) / 60)).padStart(2, '0')}m`;
  },
};

/** One colour per campaign, in the order the campaigns were given. */
export const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

/** The dashboard's URL for an API path with query parameters. */
export function apiUrl(path, params) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params ?? {})) u.searchParams.set(k, v);
  return u.pathname + u.search;
}
