// Resume: replay a journal into a fresh controller. The controller is restored from the last snapshot,
// then the asks and tells journaled after it are replayed in order; every replayed ask must give the
// journaled proposal (same index, same canonical hash), otherwise the code, space or config changed since
// the journal was written and continuing would not be the same campaign. Each replayed tell carries the
// journaled reward. The events are folded into a JournalState (journal-state.ts), which the resumed
// campaign then carries on.
import type { Controller } from '../../controllers/types.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import { graphHash } from '../graph/index.js';
import type { ResolvedCampaign } from './config.js';
import { CampaignError } from './errors.js';
import type { JournalEvent } from './journal.js';
import { JournalState } from './journal-state.js';
import { journaledReward, outcomeOf } from './outcome.js';
import { runIdOf } from './run-id.js';

export interface Replayed {
  /** Every asked trial with its graph (decoded from its decisions) and, if told, its result; counts, best, elapsed. */
  state: JournalState;
  /** Asked+told events since the last snapshot (the snapshot cadence continues across the resume). */
  sinceSnapshot: number;
  /** The run id the journal started with (run-id.ts): a resumed run keeps it. */
  runId: string;
}

export async function replayJournal(
  past: JournalEvent[],
  controller: Controller,
  space: SearchSpace,
  journalPath: string,
  objective: ResolvedCampaign['objective'],
  /** Where the events are folded (the resumed campaign carries it on). */
  state = new JournalState(),
): Promise<Replayed> {
  if (past[0]?.type !== 'campaign-started')
    throw new CampaignError('BAD_JOURNAL', `${journalPath}: does not start with a campaign-started event`);
  let snapAt = -1;
  for (let i = past.length - 1; i >= 0 && snapAt < 0; i--) if (past[i].type === 'controller-snapshot') snapAt = i;
  if (snapAt >= 0) controller.load((past[snapAt] as Extract<JournalEvent, { type: 'controller-snapshot' }>).state);

  const out: Replayed = { state, sinceSnapshot: 0, runId: runIdOf(past[0], journalPath) };
  for (let i = 0; i < past.length; i++) {
    const ev = past[i];
    const replay = i > snapAt; // events up to the snapshot are already in the loaded state
    if (ev.type === 'asked') {
      if (ev.index !== state.asked)
        throw new CampaignError(
          'BAD_JOURNAL',
          `${journalPath}: asked index ${ev.index} out of order (expected ${state.asked})`,
        );
      if (replay) {
        const p = await controller.ask();
        if (p.index !== ev.index || p.hash !== ev.hash) {
          throw new CampaignError(
            'RESUME_MISMATCH',
            `${journalPath}: the controller now proposes #${p.index} ${p.hash.slice(0, 12)} where the journal has #${ev.index} ${ev.hash.slice(0, 12)}; the controller, space or config changed since the journal was written`,
          );
        }
      }
      const graph = space.decode(ev.decisions);
      if (graphHash(graph) !== ev.hash)
        throw new CampaignError(
          'RESUME_MISMATCH',
          `${journalPath}: decisions of trial ${ev.trialId} no longer decode to hash ${ev.hash.slice(0, 12)}`,
        );
      state.apply(ev)!.graph = graph;
      out.sinceSnapshot++;
    } else if (ev.type === 'told') {
      if (ev.index !== state.told)
        throw new CampaignError(
          'BAD_JOURNAL',
          `${journalPath}: told index ${ev.index} out of order (expected ${state.told})`,
        );
      if (replay) {
        const outcome = outcomeOf(ev);
        await controller.tell(ev.index, outcome, journaledReward(outcome, ev.reward, objective));
      }
      state.apply(ev);
      out.sinceSnapshot++;
    } else {
      if (ev.type === 'controller-snapshot') out.sinceSnapshot = 0;
      state.apply(ev);
    }
  }
  return out;
}
