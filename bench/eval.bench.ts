// `npm run bench:eval`: seconds to evaluate a generated COCO-like set of 5,000 images and 100,000
// detections (seeded; crowd regions; 20 categories), median of BENCH_REPEATS runs (default 5):
//  - evaluate: evaluateCoco on objects already in memory (the evaluator itself);
//  - end to end: JSON text → parse → zod validation → evaluate (what `pyramid-nas eval` does after reading).
import { evaluateCoco, parseCocoDetections, parseCocoGroundTruth, STAT_NAMES } from '../src/eval/index.js';
import { parseJsonText } from '../src/eval/json-text.js';
import { syntheticCocoSet } from '../src/testing/synthetic-coco.js';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 5000);
const DETECTIONS = Number(process.env.BENCH_DETECTIONS ?? 100_000);
const REPEATS = Math.max(3, Number(process.env.BENCH_REPEATS ?? 5));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function time<T>(fn: () => T): [number, T] {
  const t0 = performance.now();
  const r = fn();
  return [(performance.now() - t0) / 1000, r];
}

const { gt, dets } = syntheticCocoSet({ images: IMAGES, detections: DETECTIONS, seed: 1 });
const gtText = JSON.stringify(gt);
const dtText = JSON.stringify(dets);
const crowd = gt.annotations.filter((a) => a.iscrowd).length;
console.log(
  `set: ${gt.images.length} images, ${gt.annotations.length} annotations (${crowd} crowd), ${dets.length} detections, ${gt.categories.length} categories (seed 1)`,
);
console.log(
  `JSON: ground truth ${(gtText.length / 1e6).toFixed(1)} MB, detections ${(dtText.length / 1e6).toFixed(1)} MB`,
);

const evalTimes: number[] = [];
const e2eTimes: number[] = [];
let stats: Record<string, number> = {};
for (let r = 0; r < REPEATS; r++) {
  const [s, result] = time(() => evaluateCoco(gt, dets));
  evalTimes.push(s);
  stats = result.stats;
  const [s2] = time(() =>
    evaluateCoco(
      parseCocoGroundTruth(parseJsonText(gtText, 'gt.json')),
      parseCocoDetections(parseJsonText(dtText, 'dt.json')),
    ),
  );
  e2eTimes.push(s2);
}
console.log(STAT_NAMES.map((n) => `${n} ${stats[n].toFixed(3)}`).join('  '));
console.log(
  `evaluate:   median ${median(evalTimes).toFixed(3)} s over ${REPEATS} runs (${evalTimes.map((t) => t.toFixed(3)).join(', ')})`,
);
console.log(
  `end to end: median ${median(e2eTimes).toFixed(3)} s over ${REPEATS} runs (parse + validate + evaluate; ${e2eTimes.map((t) => t.toFixed(3)).join(', ')})`,
);
