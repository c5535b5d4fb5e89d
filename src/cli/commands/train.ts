// `pyramid-nas train GRAPH.json`: train the proxy detector for one pyramid graph and print its COCO AP on
// the held-out split as JSON (stdout). The backend and a progress bar (step, loss, imgs/s) go to stderr.
// Exit 2 on bad input (invalid graph with JSON paths, bad options, missing dataset files), 1 on a failed run.
import type { Command } from 'commander';

import { formatIssue, graphHash, parseGraphFile } from '../../graph/index.js';
// zod only (no TensorFlow.js): the defaults shown in --help.
import { DEFAULT_PROXY_TASK as D, ProxyTaskError, proxyTaskSchema, resolveProxyTask } from '../../trial/proxy-task.js';
import { exitCodeOf } from '../../util/errors.js';
import { choice, intOption } from '../options.js';

interface TrainOpts {
  dataset?: string;
  data?: string;
  steps?: number;
  size?: number;
  backend?: string;
  seed?: number;
  channels?: number;
  batch?: number;
  trainImages?: number;
  heldoutImages?: number;
  runs?: number;
  backbone?: string;
  backboneWeights?: string;
  json?: boolean;
}

function fail(code: number, message: string, json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: message, ...extra })}\n`);
  console.error(message);
  process.exitCode = code;
}

async function runTrain(file: string, o: TrainOpts): Promise<void> {
  const parsed = await parseGraphFile(file);
  if (!parsed.ok) {
    for (const e of parsed.errors) console.error(`${file}: ${formatIssue(e)} [${e.code}]`);
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, file, errors: parsed.errors })}\n`);
    process.exitCode = 2;
    return;
  }
  // Imported here so `pyramid-nas --help` and the other commands never load TensorFlow.js.
  const { trainAndEvaluate, TrainError } = await import('../../train/index.js');
  const { DatasetError } = await import('../../data/errors.js');
  const { createProgress } = await import('./train-progress.js');
  const overrides: Record<string, unknown> = {
    dataset: o.dataset,
    dataDir: o.data,
    steps: o.steps,
    imageSize: o.size,
    backend: o.backend,
    seed: o.seed,
    channels: o.channels,
    batchSize: o.batch,
    trainImages: o.trainImages,
    heldoutImages: o.heldoutImages,
    runs: o.runs,
    backbone: o.backbone,
    backboneWeights: o.backboneWeights,
  };
  let task;
  try {
    task = resolveProxyTask(overrides);
  } catch (err) {
    if (err instanceof ProxyTaskError) return fail(exitCodeOf(err), err.message, !!o.json, { issues: err.issues });
    throw err;
  }
  const progress = createProgress(task.steps * task.runs);
  try {
    const metrics = await trainAndEvaluate(parsed.graph, task, {
      onBackend: (b) => console.error(`backend: ${b.name} — ${b.detail}`),
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    const result = { ok: true, graph: parsed.graph.name, hash: graphHash(parsed.graph), ...metrics, task };
    process.stdout.write(`${o.json ? JSON.stringify(result) : JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    progress.stop();
    if (err instanceof DatasetError)
      return fail(exitCodeOf(err), `dataset: ${err.message}${err.where.file ? ` (${err.where.file})` : ''}`, !!o.json, {
        code: err.code,
      });
    if (err instanceof TrainError)
      return fail(exitCodeOf(err), `train: ${err.message} [${err.code}]`, !!o.json, { code: err.code });
    if (err instanceof Error && /backend '.*' is not available|unknown backend/.test(err.message))
      return fail(2, err.message, !!o.json);
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train the proxy detector for one pyramid graph; prints COCO AP on the held-out split as JSON')
    .argument('<graph>', 'pyramid-graph/1 JSON file')
    .option(
      '--dataset <name>',
      `shapes | fashion-mnist-scenes | coco (default ${D.dataset})`,
      choice(['shapes', 'fashion-mnist-scenes', 'coco']),
    )
    .option('--data <dir>', 'dataset folder (fashion-mnist IDX files or a COCO folder)')
    .option('--steps <n>', `training steps (default ${D.steps})`, intOption(1, 1_000_000))
    .option('--size <px>', `square image side, e.g. 64, 96 or 128 (default ${D.imageSize})`, intOption(16, 1024))
    .option('--batch <n>', `batch size (default ${D.batchSize})`, intOption(1, 1024))
    .option(
      '--backend <name>',
      'tensorflow | wasm | cpu (default: best available)',
      choice(['tensorflow', 'wasm', 'cpu']),
    )
    .option('--seed <n>', `seed for weights, data and order (default ${D.seed})`, intOption(-(2 ** 31), 2 ** 31 - 1))
    .option(
      '--channels <n>',
      `neck width for the proxy, overriding the graph's (default ${D.channels})`,
      intOption(1, 4096),
    )
    .option(
      '--backbone <mode>',
      `pretrained (frozen checkpoint) | scratch (default ${D.backbone})`,
      choice(['pretrained', 'scratch']),
    )
    .option(
      '--backbone-weights <name>',
      `which pre-trained backbone: ${proxyTaskSchema.shape.backboneWeights.removeDefault().options.join(' | ')} (default ${D.backboneWeights})`,
    )
    .option('--train-images <n>', `size of the train split (default ${D.trainImages})`, intOption(1, 10_000_000))
    .option(
      '--heldout-images <n>',
      `size of the held-out split, where AP is measured (default ${D.heldoutImages})`,
      intOption(1, 10_000_000),
    )
    .option('--runs <n>', `independent trainings averaged into the score (default ${D.runs})`, intOption(1, 16))
    .option('--json', 'one-line JSON on stdout (errors too)')
    .action(async (file: string, opts: TrainOpts) => runTrain(file, opts));
}
