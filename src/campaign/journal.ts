// The campaign journal (docs/architecture.md): `journal.jsonl`, append-only JSON lines, written only by the
// campaign process. Each event is a whole line, every byte written and then fsynced before anything shows
// it; a failed append is cut back, so a crash leaves at most one torn last line, which the reader drops
// (it was never acknowledged, so resume redoes it).
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

import type { ControllerState } from '../../controllers/types.js';
import type { TrialMetrics, TrialStatus } from '../trial/types.js';
import { PyramidNasError } from '../util/errors.js';
import { BoundedReadError, INPUT_LIMITS, readFileBounded } from '../util/read-bounded.js';
import type { BaselineEvent, SeedGraph } from './input-events.js';
import type { RungEvent } from './scheduler/rung-events.js';
import { OutputWriteError, writeAll } from './write-all.js';

export interface CampaignStartedEvent {
  type: 'campaign-started';
  time: string;
  /** This run's id (12 hex digits), part of every BullMQ job id; absent in journals of older versions. */
  runId?: string;
  config: unknown;
  /** Warm start (seed-graphs.ts): the points the controller proposes first; absent without seedGraphs. */
  seeds?: SeedGraph[];
}
export interface AskedEvent {
  type: 'asked';
  index: number;
  trialId: string;
  decisions: number[];
  hash: string;
}
export interface ToldEvent {
  type: 'told';
  index: number;
  trialId: string;
  status: TrialStatus;
  metrics?: TrialMetrics;
  error?: string;
  reward: number;
  wallSeconds?: number;
  worker?: string;
  /** Active campaign seconds when told (summed over resumed runs; the wall budget counts these). */
  elapsed: number;
  /** Training steps the job ran (the cost ledger), and the CPU seconds its process used. */
  steps?: number;
  cpuSeconds?: number;
  /** With successive halving: 0, the rung of a trial's first job (scheduler/rung-events.ts). */
  rung?: number;
}
export interface SnapshotEvent {
  type: 'controller-snapshot';
  /** Number of asked events and told events the state includes. */
  asked: number;
  told: number;
  state: ControllerState;
}
export interface ResumedEvent {
  type: 'campaign-resumed';
  time: string;
  asked: number;
  told: number;
}
export interface FinishedEvent {
  type: 'campaign-finished';
  time: string;
  reason: FinishReason;
  asked: number;
  told: number;
}
export type FinishReason = 'trials' | 'wallSeconds' | 'steps' | 'exhausted';
export type JournalEvent =
  | CampaignStartedEvent
  | AskedEvent
  | ToldEvent
  | SnapshotEvent
  | ResumedEvent
  | FinishedEvent
  | BaselineEvent
  | RungEvent;

export class Journal {
  private fd: number;
  /** Bytes of whole lines so far: a failed append is cut back to this, so no torn line is ever followed by another. */
  private size: number;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
  }
  /** Appends one event and makes it durable (fsync) before returning: callers show its effect only after. */
  append(event: JournalEvent): void {
    const line = Buffer.from(JSON.stringify(event) + '\n', 'utf8');
    try {
      writeAll(this.fd, line, this.path);
      fsyncSync(this.fd);
    } catch (err) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // The reader drops a torn last line anyway; the error below is what matters.
      }
      throw err instanceof OutputWriteError
        ? err
        : new OutputWriteError(this.path, (err as NodeJS.ErrnoException).code, err as Error);
    }
    this.size += line.length;
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** A journal that cannot be read or replayed; `line` is 0 when the problem is the file as a whole. */
export class JournalError extends PyramidNasError {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super('BAD_JOURNAL', `${file}:${line}: ${message}`, {
      usage: true,
      where: { file, ...(line > 0 ? { line } : {}) },
    });
    this.name = 'JournalError';
  }
}

/**
 * Reads a journal. A torn final line (no trailing newline, not valid JSON) is what a crash mid-append
 * leaves; it is dropped. A bad line anywhere else is corruption and an error naming the line.
 */
export function readJournal(path: string): JournalEvent[] {
  return readJournalFile(path).events;
}

/** The events and the byte length of the intact prefix (resume truncates a torn tail before appending). */
export function readJournalFile(path: string): { events: JournalEvent[]; intactBytes: number } {
  const { events, intactBytes } = readJournalLines(path);
  return { events, intactBytes };
}

/** readJournalFile, plus the 1-based line of each event (for errors that name it). */
export function readJournalLines(path: string): { events: JournalEvent[]; intactBytes: number; lines: number[] } {
  if (!existsSync(path)) throw new JournalError(path, 0, 'no journal here');
  let buf: Buffer;
  try {
    buf = readFileBounded(path, INPUT_LIMITS.journal, 'campaign journal');
  } catch (err) {
    if (err instanceof BoundedReadError) throw new JournalError(path, 0, err.reason);
    throw err;
  }
  const events: JournalEvent[] = [];
  const lines: number[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < buf.length) {
    lineNo++;
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl;
    const line = buf.subarray(start, end).toString('utf8');
    if (line.trim() !== '') {
      try {
        const ev = JSON.parse(line) as JournalEvent;
        if (typeof ev !== 'object' || ev === null || typeof ev.type !== 'string') throw new Error('not an event');
        if (nl < 0) break; // complete JSON but no newline: the append did not finish; treat as torn
        events.push(ev);
        lines.push(lineNo);
      } catch (err) {
        if (nl < 0) break; // torn last line
        throw new JournalError(path, lineNo, `not a journal event (${(err as Error).message})`);
      }
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  // Everything before `start` ended with a newline; a torn tail (if any) starts at `start`.
  return { events, intactBytes: Math.min(start, buf.length), lines };
}
