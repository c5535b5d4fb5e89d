// The run id: 12 hex digits that tell one run of a campaign from another run with the same name (after
// its output folder was deleted, or with another seed). It is journaled in the campaign-started event,
// kept by --resume, and is part of every BullMQ job id, so a run never picks up jobs or results another
// run left in Redis.
import { createHash, randomBytes } from 'node:crypto';

import { CampaignError } from './errors.js';
import type { CampaignStartedEvent } from './journal.js';

export const RUN_ID = /^[0-9a-f]{12}$/;

export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * The run id of a journal, from its campaign-started event. Journals written before run ids existed get
 * one derived from that event (its first line never changes), so every resume of them uses the same id.
 */
export function runIdOf(started: CampaignStartedEvent, journalPath: string): string {
  if (started.runId === undefined)
    return createHash('sha256').update(JSON.stringify(started)).digest('hex').slice(0, 12);
  if (typeof started.runId !== 'string' || !RUN_ID.test(started.runId)) {
    throw new CampaignError(
      'BAD_JOURNAL',
      `${journalPath}:1: $.runId must be 12 hex digits (got ${JSON.stringify(started.runId)})`,
    );
  }
  return started.runId;
}
