// `pyramid-nas zoo [--size 128] [--json] [--discovered DIR]`: the reference pyramids of search-spaces/zoo
// with their live node count, params, MACs (the proxy's: at the given input size, proxy backbone channels;
// and at the stated full scale, src/graph/cost.ts FULL_SCALE) and canonical hash; after them, the pyramids
// a study discovered on the proxy task (`study --export`, search-spaces/discovered/), marked as such. With
// no discovered graph the output is exactly the reference zoo's.
import { existsSync, readdirSync, statSync } from 'node:fs';
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
import { DISCOVERED_DIR } from '../../graph/zoo.js';

export { DISCOVERED_DIR, ZOO_DIR } from '../../graph/zoo.js';

/** `reference`: the hand-designed zoo; `discovered`: found by a study on the proxy task (provenance in its meta). */
export type ZooSource = 'reference' | 'discovered';

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
  /** Present only when discovered graphs are listed beside the reference zoo. */
  source?: ZooSource;
}

/** How a discovered row is marked in the table. */
export const DISCOVERED_LABEL = 'discovered on the proxy';

/** How the proxy's figures are measured, for the table's legend. */
function proxyText(inputSize: number): string {
  const b = PROXY_BACKBONE_CHANNELS;
  return `proxy: proxy backbone in-channels ${b[3]}/${b[4]}/${b[5]} for C3/C4/C5, the graph's channels, ${inputSize}×${inputSize} input`;
}

async function graphRows(dir: string, inputSize: number): Promise<{ rows: ZooRow[]; errors: string[] }> {
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

/**
 * The zoo's rows, then those of `discovered` (a folder of `study --export` graphs; absent or without graph
 * files: none). Rows carry `source` only when a discovered graph is listed, so that the reference zoo's
 * output stays as it was for everyone who has none.
 */
export async function zooTable(
  dir: string,
  inputSize: number,
  discovered?: string,
): Promise<{ rows: ZooRow[]; errors: string[] }> {
  const ref = await graphRows(dir, inputSize);
  if (discovered === undefined || !existsSync(discovered) || !statSync(discovered).isDirectory()) return ref;
  const found = await graphRows(discovered, inputSize);
  if (found.rows.length === 0 && found.errors.length === 0) return ref;
  const mark = (source: ZooSource) => (r: ZooRow) => ({ ...r, source });
  return {
    rows: [...ref.rows.map(mark('reference')), ...found.rows.map(mark('discovered'))],
    errors: [...ref.errors, ...found.errors],
  };
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
    .description(
      'list the reference pyramids (FPN, PAFPN, NAS-FPN, BiFPN, …) and those a study discovered, with params, MACs and hash',
    )
    .option('--size <px>', 'input size for MACs', positiveInt, 128)
    .option('--dir <folder>', 'zoo folder', ZOO_DIR)
    .option('--discovered <folder>', 'folder of pyramids a study discovered (study --export)', DISCOVERED_DIR)
    .option('--json', 'print JSON')
    .action(async (opts: { size: number; dir: string; discovered: string; json?: boolean }) => {
      const { rows, errors } = await zooTable(opts.dir, opts.size, opts.discovered);
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
      const sourced = rows.some((r) => r.source !== undefined);
      if (sourced) header.push('source');
      const body = rows.map((r) => [
        r.name,
        String(r.liveNodes),
        `${r.channels}×${r.repeats}`,
        group(r.params),
        group(r.macs),
        group(r.fullScale.params),
        group(r.fullScale.macs),
        r.hash.slice(0, 12),
        ...(sourced ? [r.source === 'discovered' ? DISCOVERED_LABEL : 'reference'] : []),
      ]);
      // Left-aligned: the name and the text columns after the numbers (hash, source).
      const last = header.indexOf('hash');
      const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
      const fmt = (row: string[]) =>
        row
          .map((c, i) => (i === 0 || i >= last ? c.padEnd(widths[i]) : c.padStart(widths[i])))
          .join('  ')
          .trimEnd();
      console.log(fmt(header));
      for (const row of body) console.log(fmt(row));
      console.log(`\n${proxyText(opts.size)}\n${fullScaleText()}`);
    });
}
