// The page's static files: our plain ES modules and stylesheet from ./public, and uPlot's dist files from
// node_modules (no CDN: the dashboard must work offline). A fixed list read once, so no request path
// ever reaches the file system; each file is served gzipped when the browser accepts it.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

function asset(file: string): Asset {
  const body = readFileSync(file);
  const ext = file.slice(file.lastIndexOf('.'));
  return { type: TYPES[ext] ?? 'application/octet-stream', body, gzip: gzipSync(body, { level: 6 }) };
}

export const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

/** URL path → asset: `/` and `/app/<name>` from public/, `/vendor/<name>` from uplot/dist. */
export function loadAssets(): Map<string, Asset> {
  const map = new Map<string, Asset>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    if (!/^[a-z0-9-]+\.(js|css|html|svg)$/.test(name)) continue;
    map.set(`/app/${name}`, asset(join(PUBLIC_DIR, name)));
  }
  const index = map.get('/app/index.html');
  if (!index) throw new Error(`dashboard page missing: ${join(PUBLIC_DIR, 'index.html')}`);
  map.set('/', index);
  const require = createRequire(import.meta.url);
  const uplotDir = dirname(require.resolve('uplot')); // …/uplot/dist/uPlot.cjs.js
  for (const name of ['uPlot.esm.js', 'uPlot.min.css']) map.set(`/vendor/${name}`, asset(join(uplotDir, name)));
  return map;
}
