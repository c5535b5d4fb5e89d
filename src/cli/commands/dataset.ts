// `pyramid-nas dataset export|preview|stats`: the proxy datasets outside the trainer — as COCO folders for
// other frameworks, as a picture, as numbers.
import { resolve } from 'node:path';

import type { Command } from 'commander';
import sharp from 'sharp';

import { OutputWriteError, writeFileAtomic } from '../../campaign/atomic.js';
import { DatasetError } from '../../data/errors.js';
import { exportCoco } from '../../data/export.js';
import { loadDataset } from '../../data/index.js';
import { DEFAULT_LAYOUT } from '../../data/layout.js';
import { mosaic } from '../../data/mosaic.js';
import { splitStats } from '../../data/stats.js';
import type { DatasetOptions, SplitName } from '../../data/types.js';
import { proxyTaskSchema } from '../../trial/proxy-task.js';
import { isUsageError } from '../../util/errors.js';
import { choice, intOption } from '../options.js';

// The trainer's defaults, so that `dataset export` with no options writes exactly what `train` uses.
const TRAIN_DEFAULTS = proxyTaskSchema.parse({});

interface CommonOpts {
  split: SplitName;
  count?: number;
  seed: number;
  size: number;
  data?: string;
  minObjectSize?: number;
  maxObjects?: number;
}

function datasetOptions(name: DatasetOptions['dataset'], o: CommonOpts, count: number): DatasetOptions {
  return {
    dataset: name,
    dataDir: o.data,
    imageSize: o.size,
    seed: o.seed,
    trainImages: o.split === 'train' ? count : 0,
    heldoutImages: o.split === 'heldout' ? count : 0,
    testImages: o.split === 'test' ? count : 0,
    layout: layoutFor(name, o),
  };
}

/**
 * The object-size/count knobs. For `shapes` they default to the train command's proxy task (which sets its
 * own difficulty), so `dataset export shapes` with no options writes exactly the images `train` uses.
 */
function layoutFor(name: DatasetOptions['dataset'], o: CommonOpts): DatasetOptions['layout'] {
  const fromTrainer =
    name === 'shapes' ? { minSize: TRAIN_DEFAULTS.minObjectSize, maxObjects: TRAIN_DEFAULTS.maxObjects } : {};
  return {
    ...fromTrainer,
    ...(o.minObjectSize !== undefined && { minSize: o.minObjectSize }),
    ...(o.maxObjects !== undefined && { maxObjects: o.maxObjects }),
  };
}

function defaultCount(split: SplitName): number {
  // The test split is as large as the held-out one unless asked otherwise (`evaluate` does the same).
  return split === 'train' ? TRAIN_DEFAULTS.trainImages : TRAIN_DEFAULTS.heldoutImages;
}

/**
 * Bad input exits 2 with its message: a usage error (a DatasetError, an --out under /proc, /sys or /dev…),
 * or, since every path written is one the user gave, a file-system error writing it (an --out under a
 * file, no permission, a full disk…). Anything else is a bug and propagates with its stack.
 */
async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (
      isUsageError(err) ||
      err instanceof OutputWriteError ||
      (typeof errno === 'string' && /^E[A-Z]+$/.test(errno))
    ) {
      process.stderr.write(`pyramid-nas dataset: ${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

function common(cmd: Command, names: readonly string[]): Command {
  return cmd
    .argument('<dataset>', names.join(' | '), choice(names))
    .option('--split <split>', 'train | heldout | test', choice(['train', 'heldout', 'test'] as const), 'train')
    .option('--seed <n>', 'dataset seed', intOption(-(2 ** 31), 2 ** 32), TRAIN_DEFAULTS.seed)
    .option('--size <px>', 'image side in pixels', intOption(8, 4096), TRAIN_DEFAULTS.imageSize)
    .option('--data <dir>', 'folder of the source files (fashion-mnist IDX files, or a COCO folder)')
    .option(
      '--min-object-size <px>',
      `smallest object extent (default: shapes ${TRAIN_DEFAULTS.minObjectSize} as the trainer, else ${DEFAULT_LAYOUT.minSize})`,
      intOption(1, 1024),
    )
    .option(
      '--max-objects <n>',
      `most objects per image (default: shapes ${TRAIN_DEFAULTS.maxObjects} as the trainer, else ${DEFAULT_LAYOUT.maxObjects})`,
      intOption(1, 100),
    );
}

export function register(program: Command): void {
  const dataset = program.command('dataset').description('export, preview and describe the proxy datasets');

  common(dataset.command('export'), ['shapes', 'fashion-mnist-scenes'])
    .description('write a split as a COCO-format folder (PNG images + instances.json + pyramid-nas.split.json)')
    .requiredOption('--out <dir>', 'output folder (created; must not exist unless --force)')
    .option(
      '--count <n>',
      `images to write (default: the trainer's ${TRAIN_DEFAULTS.trainImages} train / ${TRAIN_DEFAULTS.heldoutImages} held-out)`,
      intOption(1, 10_000_000),
    )
    .option('--force', 'replace --out if it exists')
    .action((name: DatasetOptions['dataset'], o: CommonOpts & { out: string; force?: boolean }) =>
      run(async () => {
        const count = o.count ?? defaultCount(o.split);
        const ds = await loadDataset(datasetOptions(name, o, count));
        const r = await exportCoco(ds, { split: o.split, out: o.out, force: o.force, source: { seed: o.seed } });
        process.stdout.write(
          `${JSON.stringify({ out: r.out, dataset: name, split: o.split, seed: o.seed, size: o.size, images: r.images, annotations: r.annotations })}\n`,
        );
      }),
    );

  common(dataset.command('preview'), ['shapes', 'fashion-mnist-scenes', 'coco'])
    .description('save a PNG mosaic of samples with their boxes drawn')
    .requiredOption('--out <file>', 'PNG file to write')
    .option('--count <n>', 'samples in the mosaic', intOption(1, 400), 12)
    .option('--columns <n>', 'tiles per row', intOption(1, 40), 4)
    .option('--palette', 'write a 256-colour PNG (lossy, several times smaller: for documentation)')
    .action((name: DatasetOptions['dataset'], o: CommonOpts & { out: string; columns: number; palette?: boolean }) =>
      run(async () => {
        const ds = await loadDataset(datasetOptions(name, o, o.count!));
        const split = ds.split(o.split);
        const samples = Array.from({ length: Math.min(o.count!, split.count) }, (_, i) => split.get(i));
        if (samples.length === 0) throw new DatasetError('BAD_OPTION', `the ${o.split} split is empty`);
        const c = mosaic(samples, o.columns);
        const out = resolve(o.out);
        const png = await sharp(Buffer.from(c.pixels.buffer), {
          raw: { width: c.width, height: c.height, channels: 3 },
        })
          .png({ compressionLevel: 9, palette: Boolean(o.palette) })
          .toBuffer();
        writeFileAtomic(out, png);
        process.stdout.write(`${JSON.stringify({ out, width: c.width, height: c.height, samples: samples.length })}\n`);
      }),
    );

  common(dataset.command('stats'), ['shapes', 'fashion-mnist-scenes', 'coco'])
    .description('object counts and the COCO small/medium/large area fractions of a split (JSON)')
    .option('--count <n>', 'images to look at', intOption(1, 10_000_000), 1000)
    .action((name: DatasetOptions['dataset'], o: CommonOpts) =>
      run(async () => {
        const ds = await loadDataset(datasetOptions(name, o, o.count!));
        const t0 = performance.now();
        const s = splitStats(ds, ds.split(o.split));
        const ms = (performance.now() - t0) / Math.max(1, s.images);
        process.stdout.write(
          `${JSON.stringify({ dataset: name, split: o.split, seed: o.seed, size: o.size, ...s, msPerImage: Number(ms.toFixed(3)) }, null, 1)}\n`,
        );
      }),
    );
}
