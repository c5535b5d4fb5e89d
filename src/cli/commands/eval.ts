// `pyramid-nas eval --gt instances.json --dt detections.json`: the 12 COCO box statistics of any
// detector's COCO results, numerically those of pycocotools' COCOeval (iouType 'bbox').
import { type Command, InvalidArgumentError } from 'commander';

import {
  EvalInputError,
  evaluateCoco,
  formatStats,
  readCocoDetectionsFile,
  readCocoGroundTruthFile,
} from '../../eval/index.js';
import { isUsageError } from '../../util/errors.js';

interface EvalOpts {
  gt: string;
  dt: string;
  iouType: string;
  json?: boolean;
  perCategory?: boolean;
}

const IOU_TYPES = ['bbox', 'segm', 'keypoints'];

function iouType(v: string): string {
  if (!IOU_TYPES.includes(v))
    throw new InvalidArgumentError(`expected bbox (segm and keypoints are not supported), got "${v}"`);
  return v;
}

async function runEval(o: EvalOpts): Promise<void> {
  if (o.iouType !== 'bbox') {
    throw new EvalInputError(
      'UNSUPPORTED',
      `--iou-type ${o.iouType} is not supported: only bbox (box AP) is implemented`,
    );
  }
  // Both files are read at once, but a problem in the ground truth is reported first, deterministically.
  const [gtRead, dtRead] = await Promise.allSettled([readCocoGroundTruthFile(o.gt), readCocoDetectionsFile(o.dt)]);
  if (gtRead.status === 'rejected') throw gtRead.reason;
  if (dtRead.status === 'rejected') throw dtRead.reason;
  const gt = gtRead.value;
  const dets = dtRead.value;
  let result;
  try {
    result = evaluateCoco(gt, dets);
  } catch (err) {
    // Cross-reference errors name a JSON path; say which file it is in.
    const path = err instanceof EvalInputError ? err.where.path : undefined;
    if (err instanceof EvalInputError && path) {
      const file = path.startsWith('detections') ? o.dt : o.gt;
      throw new EvalInputError(err.code, `${file}: ${err.message}`, { path, file });
    }
    throw err;
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result.stats)}\n`);
    return;
  }
  let out = formatStats(result.stats);
  if (o.perCategory) {
    const width = Math.max(8, ...result.perCategory.map((c) => c.name.length));
    out += `\n\n ${'category'.padEnd(width)}  ${'id'.padStart(6)}  ${'gt'.padStart(7)}  ${'dets'.padStart(7)}      AP    AP50    AP75`;
    for (const c of result.perCategory) {
      const f = (v: number) => v.toFixed(3).padStart(6);
      out += `\n ${c.name.padEnd(width)}  ${String(c.id).padStart(6)}  ${String(c.numGt).padStart(7)}  ${String(c.numDetections).padStart(7)}  ${f(c.stats.AP)}  ${f(c.stats.AP50)}  ${f(c.stats.AP75)}`;
    }
  }
  process.stdout.write(`${out}\n`);
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('COCO box AP of detection results against COCO ground truth (same numbers as pycocotools)')
    .requiredOption('--gt <file>', 'ground truth: a COCO instances JSON file')
    .requiredOption('--dt <file>', 'detections: a JSON array of {image_id, category_id, bbox: [x, y, w, h], score}')
    .option('--iou-type <type>', 'only bbox is supported', iouType, 'bbox')
    .option(
      '--json',
      'print the 12 statistics as one JSON object (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl)',
    )
    .option('--per-category', 'also print AP, AP50 and AP75 per category (table output only)')
    .action(async (o: EvalOpts) => {
      try {
        await runEval(o);
      } catch (err) {
        if (!isUsageError(err)) throw err;
        process.stderr.write(`pyramid-nas eval: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
