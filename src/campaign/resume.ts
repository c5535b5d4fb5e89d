// Resume (DESIGN.md §9): replay a journal into a fresh controller. The controller is restored from the
// last snapshot, then the asks and tells journaled after it are replayed in order; every replayed ask
// must give the journaled proposal (same index, same canonical hash), otherwise the code, space or config
// changed since the journal was written and continuing would not be the same campaign.
import type { Controller, TrialOutcome } from '../../controllers/types.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import type { TrialResult } from '../../workers/types.js';
import { graphHash } from '../graph/index.js';
import { CampaignError } from './errors.js';
import type { JournalEvent } from './journal.js';
import { runIdOf } from './run-id.js';
import type { TrialRecord } from './records.js';

/** The outcome a controller is told for a result (or for a journaled told event). */
export function outcomeOf(r: { status: TrialResult['status']; metrics?: TrialResult['metrics']; error?: string }): TrialOutcome {
  if (r.status === 'complete' && r.metrics) return { status: 'complete', metrics: r.metrics };
  if (r.status === 'complete') return { status: 'failed', error: 'complete without metrics' };
  return { status: r.status, error: r.error ?? r.status };
}

export interface Replayed {
  /** Every asked trial, with its graph (decoded from its decisions) and, if told, its result. */
  records: Map<number, TrialRecord>;
  nextAsk: number;
  nextTell: number;
  /** Asked+told events since the last snapshot (the snapshot cadence continues across the resume). */
  sinceSnapshot: number;
  /** Active seconds at the last told event (the wall budget counts active time only). */
  elapsedBase: number;
  /** The run id the journal started with (run-id.ts): a resumed run keeps it. */
  runId: string;
}

export async function replayJournal(past: JournalEvent[], controller: Controller, space: SearchSpace, journalPath: string): Promise<Replayed> {
  if (past[0]?.type !== 'campaign-started') throw new CampaignError('BAD_JOURNAL', `${journalPath}: does not start with a campaign-started event`);
  let snapAt = -1;
  for (let i = past.length - 1; i >= 0 && snapAt < 0; i--) if (past[i].type === 'controller-snapshot') snapAt = i;
  if (snapAt >= 0) controller.load((past[snapAt] as Extract<JournalEvent, { type: 'controller-snapshot' }>).state);

  const out: Replayed = { records: new Map(), nextAsk: 0, nextTell: 0, sinceSnapshot: 0, elapsedBase: 0, runId: runIdOf(past[0], journalPath) };
  for (let i = 0; i < past.length; i++) {
    const ev = past[i];
    const replay = i > snapAt; // events up to the snapshot are already in the loaded state
    if (ev.type === 'asked') {
      if (ev.index !== out.nextAsk) throw new CampaignError('BAD_JOURNAL', `${journalPath}: asked index ${ev.index} out of order (expected ${out.nextAsk})`);
      if (replay) {
        const p = await controller.ask();
        if (p.index !== ev.index || p.hash !== ev.hash) {
          throw new CampaignError('RESUME_MISMATCH', `${journalPath}: the controller now proposes #${p.index} ${p.hash.slice(0, 12)} where the journal has #${ev.index} ${ev.hash.slice(0, 12)}; the controller, space or config changed since the journal was written`);
        }
      }
      const graph = space.decode(ev.decisions);
      if (graphHash(graph) !== ev.hash) throw new CampaignError('RESUME_MISMATCH', `${journalPath}: decisions of trial ${ev.trialId} no longer decode to hash ${ev.hash.slice(0, 12)}`);
      out.records.set(ev.index, { index: ev.index, trialId: ev.trialId, decisions: ev.decisions, hash: ev.hash, graph });
      out.nextAsk++;
      out.sinceSnapshot++;
    } else if (ev.type === 'told') {
      if (ev.index !== out.nextTell) throw new CampaignError('BAD_JOURNAL', `${journalPath}: told index ${ev.index} out of order (expected ${out.nextTell})`);
      if (replay) await controller.tell(ev.index, outcomeOf(ev));
      Object.assign(out.records.get(ev.index)!, { status: ev.status, metrics: ev.metrics, error: ev.error, reward: ev.reward, wallSeconds: ev.wallSeconds, worker: ev.worker });
      out.elapsedBase = ev.elapsed ?? out.elapsedBase;
      out.nextTell++;
      out.sinceSnapshot++;
    } else if (ev.type === 'controller-snapshot') {
      out.sinceSnapshot = 0;
    }
  }
  return out;
}
