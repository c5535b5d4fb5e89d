// COCOeval.summarize: each statistic is the mean of the accumulated entries it selects that are > -1,
// or -1 when there are none (e.g. no ground truth in that area range). Entries are visited in numpy's
// flattening order and summed with compensated (Neumaier) summation, so the mean is within an ulp or two
// of numpy's pairwise sum.
import type { Accumulated } from './accumulate.js';
import {
  AREA_RANGES,
  IOU_THRESHOLDS,
  MAX_DETS,
  RECALL_THRESHOLDS,
  STAT_NAMES,
  STAT_SPECS,
  type StatSpec,
} from './params.js';
import type { CocoStats } from './types.js';

const T = IOU_THRESHOLDS.length;
const R = RECALL_THRESHOLDS.length;
const A = AREA_RANGES.length;
const M = MAX_DETS.length;

function summarizeOne(acc: Accumulated, spec: StatSpec, kFrom: number, kTo: number): number {
  const K = acc.numCategories;
  const a = AREA_RANGES.findIndex((r) => r.label === spec.area);
  const m = MAX_DETS.findIndex((d) => d === spec.maxDets);
  if (a < 0 || m < 0) return -1;
  let sum = 0;
  let comp = 0;
  let count = 0;
  const add = (v: number): void => {
    if (!(v > -1)) return;
    const s = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s + v : v - s + sum;
    sum = s;
    count++;
  };
  for (let t = 0; t < T; t++) {
    if (spec.iouThr !== undefined && IOU_THRESHOLDS[t] !== spec.iouThr) continue;
    if (spec.kind === 'precision') {
      for (let r = 0; r < R; r++) {
        for (let k = kFrom; k < kTo; k++) add(acc.precision[(((t * R + r) * K + k) * A + a) * M + m]);
      }
    } else {
      for (let k = kFrom; k < kTo; k++) add(acc.recall[((t * K + k) * A + a) * M + m]);
    }
  }
  return count === 0 ? -1 : (sum + comp) / count;
}

/** The 12 statistics over categories kFrom..kTo (all categories by default). */
export function summarize(acc: Accumulated, kFrom = 0, kTo = acc.numCategories): CocoStats {
  const out = {} as CocoStats;
  for (const name of STAT_NAMES) out[name] = summarizeOne(acc, STAT_SPECS[name], kFrom, kTo);
  return out;
}

/**
 * Python's '{:0.3f}'.format(v): like toFixed(3) except on exact ties (odd multiples of 1/16, such as
 * 0.0625), where Python rounds half to even and JavaScript rounds up.
 */
export function pyFixed3(v: number): string {
  const scaled = v * 1000; // exact for odd multiples of 1/16
  if (Number.isInteger(v * 16) && !Number.isInteger(v * 8)) {
    const lo = Math.floor(scaled);
    const n = lo % 2 === 0 ? lo : lo + 1;
    return (n / 1000).toFixed(3);
  }
  return v.toFixed(3);
}

/** pycocotools' printed summary lines, e.g. " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.372". */
export function formatStats(stats: CocoStats): string {
  const lines: string[] = [];
  for (const name of STAT_NAMES) {
    const spec = STAT_SPECS[name];
    const title = spec.kind === 'precision' ? 'Average Precision' : 'Average Recall';
    const type = spec.kind === 'precision' ? '(AP)' : '(AR)';
    const iou =
      spec.iouThr === undefined
        ? `${IOU_THRESHOLDS[0].toFixed(2)}:${IOU_THRESHOLDS[T - 1].toFixed(2)}`
        : spec.iouThr.toFixed(2);
    const value = stats[name];
    lines.push(
      ` ${title.padEnd(18)} ${type} @[ IoU=${iou.padEnd(9)} | area=${spec.area.padStart(6)} | maxDets=${String(spec.maxDets).padStart(3)} ] = ${pyFixed3(value)}`,
    );
  }
  return lines.join('\n');
}
