// How the report compares a searched pyramid with the baselines, and whether the second dataset tells the
// same story as the test split. A difference of means alone overstates what three seeds show, so each
// comparison also says whether the mean ± sd intervals are apart; the transfer check is about order, not
// level (the two datasets' APs are on different scales). The same order check between held-out and test AP
// says whether the selection among the winners carried over to the longer training on unseen images.
import { spearman } from '../util/rank-correlation.js';
import type { StudyEvaluation, StudyEvaluationEntry } from './evaluation-file.js';

type Entry = StudyEvaluationEntry;

/** A fraction as signed percentage points, `+2.3` / `−0.4`; '–' for a missing figure. */
export const signedPct = (x: number | null | undefined) =>
  typeof x === 'number' && Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}` : '–';

/** 'apart' when the mean ± sd intervals do not overlap; 'overlapping' when they do; undefined without two sds. */
export function intervals(a: Entry, b: Entry): 'apart' | 'overlapping' | undefined {
  const [ma, sa, mb, sb] = [a.AP.mean, a.AP.sd, b.AP.mean, b.AP.sd];
  if (ma === null || mb === null || sa === null || sb === null) return undefined;
  return ma - sa > mb + sb || mb - sb > ma + sa ? 'apart' : 'overlapping';
}

/** `fpn: +2.3 AP (± sd apart) at 0.81× its full-width MACs; …` for each baseline. */
export function versusBaselines(g: Entry, baselines: Entry[]): string {
  return baselines
    .map((b) => {
      const sep = intervals(g, b);
      const ratio = (g.fullWidthCost.macs / b.fullWidthCost.macs).toFixed(2);
      return `${b.name}: ${signedPct(g.AP.mean! - b.AP.mean!)} AP${sep ? ` (± sd ${sep})` : ''} at ${ratio}× its full-width MACs`;
    })
    .join('; ');
}

/** The opening of an order check's sentence; ρ is undefined where one side has no order (all values equal). */
const orderAgreement = (rho: number) =>
  `Order agreement: Spearman ρ = ${Number.isNaN(rho) ? 'undefined' : rho.toFixed(2)}`;

const scored = (ev: StudyEvaluation) => new Map(ev.entries.filter((e) => e.AP.mean !== null).map((e) => [e.hash, e]));

/**
 * Whether the transfer dataset orders the graphs as the test split does: Spearman's ρ over the graphs scored
 * on both, and, for the study's winner, on which datasets it is ahead of each baseline.
 */
export function transferAgreement(test: StudyEvaluation, transfer: StudyEvaluation, winnerHash?: string): string {
  const a = scored(test);
  const b = scored(transfer);
  const both = [...a.keys()].filter((h) => b.has(h));
  if (both.length < 2) return 'Too few graphs scored on both datasets to compare their order.';
  const rho = spearman(
    both.map((h) => a.get(h)!.AP.mean!),
    both.map((h) => b.get(h)!.AP.mean!),
  );
  const lines = [`${orderAgreement(rho)} between test and transfer AP over the ${both.length} graphs scored on both.`];
  const wa = winnerHash === undefined ? undefined : a.get(winnerHash);
  const wb = winnerHash === undefined ? undefined : b.get(winnerHash);
  if (wa && wb) {
    const standing = [...b.values()]
      .filter((e) => e.role === 'baseline' && a.has(e.hash))
      .map((base) => {
        const onTest = wa.AP.mean! > a.get(base.hash)!.AP.mean!;
        const onTransfer = wb.AP.mean! > base.AP.mean!;
        const where =
          onTest && onTransfer ? 'on both' : onTest ? 'on test only' : onTransfer ? 'on transfer only' : 'on neither';
        return `${base.name}: ahead ${where}`;
      });
    if (standing.length) lines.push(`The study's winner (${wa.name}) against each baseline: ${standing.join('; ')}.`);
  }
  return lines.join(' ');
}

/**
 * Whether the held-out AP the searched graphs were selected on orders them as their test AP does: Spearman's
 * ρ over the graphs with both, and the spread of each, so a ρ near 0 can be read against how far apart the
 * graphs were in the first place.
 */
export function heldOutAgreement(ev: StudyEvaluation): string {
  const both = ev.entries.filter((e) => e.heldoutAP !== undefined && e.AP.mean !== null);
  if (both.length < 2) return 'Too few searched graphs scored on the test split to compare the two orders.';
  const held = both.map((e) => e.heldoutAP!);
  const test = both.map((e) => e.AP.mean!);
  const rho = spearman(held, test);
  const span = (v: number[]) => `${(100 * Math.min(...v)).toFixed(1)}–${(100 * Math.max(...v)).toFixed(1)}`;
  return (
    `${orderAgreement(rho)} between held-out and test AP ` +
    `over the ${both.length} searched graphs (held-out AP ${span(held)}, test AP ${span(test)}).`
  );
}
