// `pyramid-nas zoo [--size 128] [--json]`: the reference pyramids of search-spaces/zoo with their live
// node count, params, MACs (the proxy's: at the given input size, proxy backbone channels; and at the
// stated full scale, src/graph/cost.ts FULL_SCALE) and canonical hash.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import {
  formatIssue,
  FULL_SCALE,
  fullScaleCost,
  fullScaleText,
  graphCost,
  graphHash,
  liveNodeIds,
  parseGraphFile,
  PROXY_BACKBONE_CHANNELS,
  ZOO_DIR,
} from '../../graph/index.js';

export { ZOO_DIR } from '../../graph/zoo.js';

export interface ZooRow {
  name: string;
  file: string;
  liveNodes: number;
  repeats: number;
  channels: number;
  /** The proxy's figures: proxy backbone channels, the graph's width, `inputSize`. */
  params: number;
  macs: number;
  /** At FULL_SCALE (ResNet-50 in-channels, 256 channels, 640 px). */
  fullScale: { params: number; macs: number };
  hash: string;
}

/** How the proxy's figures are measured, for the table's legend. */
function proxyText(inputSize: number): string {
  const b = PROXY_BACKBONE_CHANNELS;
  return `proxy: proxy backbone in-channels ${b[3]}/${b[4]}/${b[5]} for C3/C4/C5, the graph's channels, ${inputSize}×${inputSize} input`;
}

export async function zooTable(dir: string, inputSize: number): Promise<{ rows: ZooRow[]; errors: string[] }> {
  const rows: ZooRow[] = [];
  const errors: string[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.graph.json'))
    .sort()) {
    const file = join(dir, f);
    const r = await parseGraphFile(file);
    if (!r.ok) {
      errors.push(...r.errors.map((e) => `${file}: ${formatIssue(e)} [${e.code}]`));
      continue;
    }
    const g = r.graph;
    const cost = graphCost(g, { inputSize });
    rows.push({
      name: g.name,
      file: f,
      liveNodes: liveNodeIds(g).size,
      repeats: g.repeats,
      channels: g.channels,
      params: cost.params,
      macs: cost.macs,
      fullScale: (({ params, macs }) => ({ params, macs }))(fullScaleCost(g)),
      hash: graphHash(g),
    });
  }
  return { rows, errors };
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 16384) throw new InvalidArgumentError('an integer in 1..16384');
  return n;
};
const group = (n: number) => n.toLocaleString('en-US');

export function register(program: Command): void {
  program
    .command('zoo')
    .description('list the reference pyramids (FPN, PAFPN, NAS-FPN, BiFPN, …) with params, MACs and hash')
    .option('--size <px>', 'input size for MACs', positiveInt, 128)
    .option('--dir <folder>', 'zoo folder', ZOO_DIR)
    .option('--json', 'print JSON')
    .action(async (opts: { size: number; dir: string; json?: boolean }) => {
      const { rows, errors } = await zooTable(opts.dir, opts.size);
      for (const e of errors) console.error(e);
      if (errors.length > 0) process.exitCode = 2;
      if (opts.json) {
        const fullScale = { ...FULL_SCALE, setting: fullScaleText() };
        process.stdout.write(`${JSON.stringify({ inputSize: opts.size, fullScale, graphs: rows }, null, 2)}\n`);
        return;
      }
      const full = FULL_SCALE.inputSize;
      const header = [
        'name',
        'live nodes',
        'channels×repeats',
        'params (proxy)',
        `MACs @${opts.size}px (proxy)`,
        'params (full)',
        `MACs @${full}px (full)`,
        'hash',
      ];
      const body = rows.map((r) => [
        r.name,
        String(r.liveNodes),
        `${r.channels}×${r.repeats}`,
        group(r.params),
        group(r.macs),
        group(r.fullScale.params),
        group(r.fullScale.macs),
        r.hash.slice(0, 12),
      ]);
      const last = header.length - 1;
      const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
      const fmt = (row: string[]) =>
        row
          .map((c, i) => (i === 0 || i === last ? c.padEnd(widths[i]) : c.padStart(widths[i])))
          .join('  ')
          .trimEnd();
      console.log(fmt(header));
      for (const row of body) console.log(fmt(row));
      console.log(`\n${proxyText(opts.size)}\n${fullScaleText()}`);
    });
}
