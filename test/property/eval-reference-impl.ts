// A deliberately literal, slow re-statement of pycocotools' COCOeval (evaluate → evaluateImg →
// accumulate → summarize), structured like the Python: dictionaries keyed by (image, category), one
// evalImg record per (category, area, image), np.concatenate + mergesort in accumulate, a plain mean in
// summarize. It shares no code with src/eval (only the threshold constants, which have their own
// bit-exact unit test), so the property test comparing the two checks the fast core's grouping, slot and
// sort bookkeeping against the straightforward algorithm.
import { AREA_RANGES, IOU_THRESHOLDS, MAX_DETS, RECALL_THRESHOLDS } from '../../src/eval/params.js';
import type { CocoDetection, CocoGroundTruth } from '../../src/eval/schema.js';

interface G {
  id: number;
  bbox: number[];
  area: number;
  iscrowd: number;
  ignore: number;
  _ignore?: number;
}
interface D {
  id: number;
  bbox: number[];
  area: number;
  score: number;
}
interface EvalImg {
  dtScores: number[];
  dtMatches: number[][];
  dtIgnore: boolean[][];
  gtIgnore: number[];
}

/** numpy argsort(kind='mergesort'): a stable top-down merge sort of indices by key. */
function mergesortIdx(keys: number[]): number[] {
  const sort = (idx: number[]): number[] => {
    if (idx.length <= 1) return idx;
    const mid = idx.length >> 1;
    const a = sort(idx.slice(0, mid));
    const b = sort(idx.slice(mid));
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) out.push(keys[b[j]] < keys[a[i]] ? b[j++] : a[i++]);
    return out.concat(a.slice(i), b.slice(j));
  };
  return sort(keys.map((_, i) => i));
}

function iou(d: number[][], g: number[][], iscrowd: number[]): number[][] {
  return d.map((D) =>
    g.map((Gb, gi) => {
      const w = Math.min(D[2] + D[0], Gb[2] + Gb[0]) - Math.max(D[0], Gb[0]);
      if (w <= 0) return 0;
      const h = Math.min(D[3] + D[1], Gb[3] + Gb[1]) - Math.max(D[1], Gb[1]);
      if (h <= 0) return 0;
      const i = w * h;
      const u = iscrowd[gi] ? D[2] * D[3] : D[2] * D[3] + Gb[2] * Gb[3] - i;
      return i / u;
    }),
  );
}

export function referenceCocoEval(gtDoc: CocoGroundTruth, dets: CocoDetection[]): number[] {
  const imgIds = [...new Set(gtDoc.images.map((i) => i.id))].sort((a, b) => a - b);
  const catIds = [...new Set(gtDoc.categories.map((c) => c.id))].sort((a, b) => a - b);
  const key = (i: number, c: number) => `${i},${c}`;
  const gts = new Map<string, G[]>();
  const dts = new Map<string, D[]>();
  for (const a of gtDoc.annotations) {
    const g: G = { id: a.id, bbox: [...a.bbox], area: a.area, iscrowd: a.iscrowd ? 1 : 0, ignore: a.iscrowd ? 1 : 0 };
    const k = key(a.image_id, a.category_id);
    gts.set(k, [...(gts.get(k) ?? []), g]);
  }
  dets.forEach((d, n) => {
    const k = key(d.image_id, d.category_id);
    dts.set(k, [...(dts.get(k) ?? []), { id: n + 1, bbox: [...d.bbox], area: d.bbox[2] * d.bbox[3], score: d.score }]);
  });
  const maxDet = MAX_DETS[MAX_DETS.length - 1];
  const ious = new Map<string, number[][]>();
  for (const i of imgIds)
    for (const c of catIds) {
      const gt = gts.get(key(i, c)) ?? [];
      let dt = dts.get(key(i, c)) ?? [];
      if (gt.length === 0 && dt.length === 0) {
        ious.set(key(i, c), []);
        continue;
      }
      dt = mergesortIdx(dt.map((d) => -d.score))
        .map((j) => dt[j])
        .slice(0, maxDet);
      ious.set(
        key(i, c),
        dt.length === 0 || gt.length === 0
          ? []
          : iou(
              dt.map((d) => d.bbox),
              gt.map((g) => g.bbox),
              gt.map((g) => g.iscrowd),
            ),
      );
    }
  const T = IOU_THRESHOLDS.length;
  const evaluateImg = (imgId: number, catId: number, aRng: [number, number]): EvalImg | null => {
    let gt = gts.get(key(imgId, catId)) ?? [];
    let dt = dts.get(key(imgId, catId)) ?? [];
    if (gt.length === 0 && dt.length === 0) return null;
    for (const g of gt) g._ignore = g.ignore || g.area < aRng[0] || g.area > aRng[1] ? 1 : 0;
    const gtind = mergesortIdx(gt.map((g) => g._ignore!));
    gt = gtind.map((j) => gt[j]);
    const dtind = mergesortIdx(dt.map((d) => -d.score));
    dt = dtind.slice(0, maxDet).map((j) => dt[j]);
    const iscrowd = gt.map((g) => g.iscrowd);
    const raw = ious.get(key(imgId, catId))!;
    const m_ious = raw.length > 0 ? raw.map((row) => gtind.map((j) => row[j])) : raw;
    const gtm = Array.from({ length: T }, () => gt.map(() => 0));
    const dtm = Array.from({ length: T }, () => dt.map(() => 0));
    const gtIg = gt.map((g) => g._ignore!);
    const dtIg = Array.from({ length: T }, () => dt.map(() => false));
    if (m_ious.length !== 0) {
      IOU_THRESHOLDS.forEach((t, tind) => {
        dt.forEach((d, dind) => {
          let best = Math.min(t, 1 - 1e-10);
          let m = -1;
          for (let gind = 0; gind < gt.length; gind++) {
            if (gtm[tind][gind] > 0 && !iscrowd[gind]) continue;
            if (m > -1 && gtIg[m] === 0 && gtIg[gind] === 1) break;
            if (m_ious[dind][gind] < best) continue;
            best = m_ious[dind][gind];
            m = gind;
          }
          if (m === -1) return;
          dtIg[tind][dind] = gtIg[m] === 1;
          dtm[tind][dind] = gt[m].id;
          gtm[tind][m] = d.id;
        });
      });
    }
    const a = dt.map((d) => d.area < aRng[0] || d.area > aRng[1]);
    for (let t = 0; t < T; t++)
      for (let j = 0; j < dt.length; j++) dtIg[t][j] = dtIg[t][j] || (dtm[t][j] === 0 && a[j]);
    return { dtScores: dt.map((d) => d.score), dtMatches: dtm, dtIgnore: dtIg, gtIgnore: gtIg };
  };
  // evalImgs[k][a][i], as the flat list pycocotools indexes with Nk + Na + i.
  const evalImgs = catIds.map((c) => AREA_RANGES.map((r) => imgIds.map((i) => evaluateImg(i, c, [r.lo, r.hi]))));
  const R = RECALL_THRESHOLDS.length;
  const K = catIds.length;
  const A = AREA_RANGES.length;
  const precision = new Map<string, number>(); // key t,r,k,a,m; absent = -1
  const recall = new Map<string, number>();
  for (let k = 0; k < K; k++)
    for (let a = 0; a < A; a++)
      MAX_DETS.forEach((md, m) => {
        const E = evalImgs[k][a].filter((e): e is EvalImg => e !== null);
        if (E.length === 0) return;
        const dtScores = E.flatMap((e) => e.dtScores.slice(0, md));
        const inds = mergesortIdx(dtScores.map((s) => -s));
        const dtm = Array.from({ length: T }, (_, t) => {
          const row = E.flatMap((e) => e.dtMatches[t].slice(0, md));
          return inds.map((j) => row[j]);
        });
        const dtIg = Array.from({ length: T }, (_, t) => {
          const row = E.flatMap((e) => e.dtIgnore[t].slice(0, md));
          return inds.map((j) => row[j]);
        });
        const gtIg = E.flatMap((e) => e.gtIgnore);
        const npig = gtIg.filter((g) => g === 0).length;
        if (npig === 0) return;
        for (let t = 0; t < T; t++) {
          const tps = dtm[t].map((v, j) => v !== 0 && !dtIg[t][j]);
          const fps = dtm[t].map((v, j) => v === 0 && !dtIg[t][j]);
          let ctp = 0;
          let cfp = 0;
          const tp = tps.map((x) => (ctp += x ? 1 : 0));
          const fp = fps.map((x) => (cfp += x ? 1 : 0));
          const nd = tp.length;
          const rc = tp.map((v) => v / npig);
          const pr = tp.map((v, j) => v / (fp[j] + v + 2.220446049250313e-16));
          recall.set(`${t},${k},${a},${m}`, nd ? rc[nd - 1] : 0);
          for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
          const q = new Array<number>(R).fill(0);
          for (let ri = 0; ri < R; ri++) {
            // np.searchsorted(rc, thr, side='left') by binary search.
            let lo = 0;
            let hi = nd;
            while (lo < hi) {
              const mid = (lo + hi) >> 1;
              if (rc[mid] < RECALL_THRESHOLDS[ri]) lo = mid + 1;
              else hi = mid;
            }
            if (lo >= nd) break;
            q[ri] = pr[lo];
          }
          q.forEach((v, r) => precision.set(`${t},${r},${k},${a},${m}`, v));
        }
      });
  const summarize = (ap: boolean, iouThr: number | undefined, area: string, maxDets: number): number => {
    const a = AREA_RANGES.findIndex((x) => x.label === area);
    const m = MAX_DETS.findIndex((x) => x === maxDets);
    const vals: number[] = [];
    for (let t = 0; t < T; t++) {
      if (iouThr !== undefined && IOU_THRESHOLDS[t] !== iouThr) continue;
      if (ap) {
        for (let r = 0; r < R; r++)
          for (let k = 0; k < K; k++) vals.push(precision.get(`${t},${r},${k},${a},${m}`) ?? -1);
      } else for (let k = 0; k < K; k++) vals.push(recall.get(`${t},${k},${a},${m}`) ?? -1);
    }
    const ok = vals.filter((v) => v > -1);
    return ok.length === 0 ? -1 : ok.reduce((s, v) => s + v, 0) / ok.length;
  };
  return [
    summarize(true, undefined, 'all', 100),
    summarize(true, 0.5, 'all', 100),
    summarize(true, 0.75, 'all', 100),
    summarize(true, undefined, 'small', 100),
    summarize(true, undefined, 'medium', 100),
    summarize(true, undefined, 'large', 100),
    summarize(false, undefined, 'all', 1),
    summarize(false, undefined, 'all', 10),
    summarize(false, undefined, 'all', 100),
    summarize(false, undefined, 'small', 100),
    summarize(false, undefined, 'medium', 100),
    summarize(false, undefined, 'large', 100),
  ];
}
