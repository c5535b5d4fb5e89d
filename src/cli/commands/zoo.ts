// `pyramid-nas zoo [--size 128] [--json]`: the reference pyramids of search-spaces/zoo with their live
// node count, params, MACs (at the given input size, proxy backbone channels) and canonical hash.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { formatIssue, graphCost, graphHash, liveNodeIds, parseGraphFile, ZOO_DIR } from '../../graph/index.js';

export { ZOO_DIR } from '../../graph/zoo.js';

export interface ZooRow {
  name: string;
  file: string;
  liveNodes: number;
  repeats: number;
  channels: number;
  params: number;
  macs: number;
  hash: string;
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
        process.stdout.write(`${JSON.stringify({ inputSize: opts.size, graphs: rows }, null, 2)}\n`);
        return;
      }
      const header = ['name', 'live nodes', 'channels×repeats', 'params', `MACs @${opts.size}px`, 'hash'];
      const body = rows.map((r) => [
        r.name,
        String(r.liveNodes),
        `${r.channels}×${r.repeats}`,
        group(r.params),
        group(r.macs),
        r.hash.slice(0, 12),
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
      const fmt = (row: string[]) =>
        row
          .map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
          .join('  ')
          .trimEnd();
      console.log(fmt(header));
      for (const row of body) console.log(fmt(row));
    });
}
