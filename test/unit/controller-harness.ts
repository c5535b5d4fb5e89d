// Shared by the controller tests and the fresh-process child (controller-resume-child.ts): a fixed,
// deterministic way of asking and telling, with out-of-order tells and failed/invalid trials mixed in.
import type { Controller } from '../../controllers/index.js';
import type { TrialOutcome } from '../../src/trial/types.js';

export interface Asked {
  index: number;
  decisions: number[];
  hash: string;
}

/** A synthetic AP from the decisions (fraction of odd tokens), with failed and invalid trials sprinkled in. */
export function outcomeFor(index: number, decisions: readonly number[]): TrialOutcome {
  if (index % 11 === 5) return { status: 'failed', error: 'worker crashed (synthetic)' };
  if (index % 13 === 7) return { status: 'invalid', error: 'invalid graph (synthetic)' };
  const ap = decisions.filter((t) => t % 2 === 1).length / decisions.length + (index % 3) * 0.001;
  return {
    status: 'complete',
    metrics: {
      AP: ap,
      AP50: ap,
      AP75: ap,
      APs: 0,
      APm: 0,
      APl: 0,
      params: 1,
      macs: 1e6 + decisions[0] * 1e5,
      trainSeconds: 0,
      evalSeconds: 0,
      backend: 'synthetic',
    },
  };
}

/**
 * Asks `steps` proposals; whenever more than 3 are in flight, tells one of them (alternately the oldest
 * and the second oldest, so tells arrive out of order). `queue` holds the in-flight proposals and is
 * updated in place, so a run can stop, save state, and be continued by another controller.
 */
export async function drive(c: Controller, queue: Asked[], steps: number): Promise<Asked[]> {
  const asked: Asked[] = [];
  for (let s = 0; s < steps; s++) {
    const p = await c.ask();
    const a = { index: p.index, decisions: p.decisions, hash: p.hash };
    asked.push(a);
    queue.push(a);
    if (queue.length > 3) {
      const [done] = queue.splice(p.index % 2 === 0 ? 0 : 1, 1);
      await c.tell(done.index, outcomeFor(done.index, done.decisions));
    }
  }
  return asked;
}
