// `npm run bench:data`: how fast the proxy datasets produce samples — milliseconds per image for `shapes`
// (64, 96, 128 px), `fashion-mnist-scenes` (when the Debian files are installed), and the COCO round trip
// (export to PNG, then load + decode). Every figure is the median of REPEATS timed runs.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { exportCoco } from '../src/data/export.js';
import { DEBIAN_FASHION_MNIST_DIR } from '../src/data/fashion-mnist-scenes.js';
import { loadDataset } from '../src/data/index.js';
import type { DatasetOptions, ProxyDataset } from '../src/data/types.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 300);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Median ms per image to render IMAGES samples (fresh indices each repeat: nothing is cached), as wall time
 * and as this process's CPU time (the honest figure on a machine shared with other work).
 */
function renderMs(ds: ProxyDataset): string {
  const split = ds.split('train');
  for (let i = 0; i < 20; i++) split.get(i); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < IMAGES; i++) split.get((r * IMAGES + i) % split.count);
    wall.push((performance.now() - t0) / IMAGES);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / IMAGES);
  }
  return `${median(wall).toFixed(3)} ms/image wall, ${median(cpu).toFixed(3)} ms/image CPU`;
}

const rows: Array<[string, string]> = [];
const base = (dataset: DatasetOptions['dataset'], imageSize: number): DatasetOptions => ({
  dataset,
  imageSize,
  trainImages: IMAGES * REPEATS,
  heldoutImages: 1,
  seed: 0,
});

for (const size of [64, 96, 128]) {
  rows.push([`shapes ${size} px: render`, renderMs(await loadDataset(base('shapes', size)))]);
}
if (existsSync(DEBIAN_FASHION_MNIST_DIR)) {
  const t0 = performance.now();
  const ds = await loadDataset(base('fashion-mnist-scenes', 128));
  rows.push(['fashion-mnist-scenes: read IDX files', `${(performance.now() - t0).toFixed(0)} ms (once per load)`]);
  rows.push(['fashion-mnist-scenes 128 px: render', renderMs(ds)]);
} else {
  rows.push(['fashion-mnist-scenes', `skipped: ${DEBIAN_FASHION_MNIST_DIR} not installed`]);
}

// COCO round trip at 128 px: export (PNG encode) and load (PNG decode + letterbox), per image.
const dir = mkdtempSync(join(tmpdir(), 'pyramid-nas-bench-data-'));
try {
  const n = IMAGES;
  const ds = await loadDataset({ ...base('shapes', 128), trainImages: n });
  const exportTimes: number[] = [];
  const loadTimes: number[] = [];
  for (let r = 0; r < Math.min(REPEATS, 3); r++) {
    const out = join(dir, `r${r}`);
    let t0 = performance.now();
    await exportCoco(ds, { split: 'train', out });
    exportTimes.push((performance.now() - t0) / n);
    t0 = performance.now();
    await loadDataset({ ...base('coco', 128), dataDir: out, trainImages: n, heldoutImages: 0 });
    loadTimes.push((performance.now() - t0) / n);
  }
  rows.push(['coco export 128 px (render + PNG)', `${median(exportTimes).toFixed(3)} ms/image`]);
  rows.push(['coco load 128 px (PNG decode)', `${median(loadTimes).toFixed(3)} ms/image`]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`bench:data — medians of ${REPEATS} runs of ${IMAGES} images`);
for (const [k, v] of rows) console.log(`${k.padEnd(40)} ${v}`);
