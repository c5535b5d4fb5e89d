// The evaluation journal, `evaluation.jsonl`: one line per finished training of (entry, seed), appended
// and fsync'd as soon as it ends, so an evaluation stopped at any point resumes by skipping what is done.
// A line torn by a crash mid-write (only ever the last) is ignored, cut off by the next append, and that
// training redone.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { ensureDir } from '../campaign/atomic.js';
import type { TrialMetrics } from '../trial/types.js';
import { EvaluateError } from './errors.js';

export const JOURNAL_FILE = 'evaluation.jsonl';

export interface EvalRecord {
  /** Canonical hash of the graph trained. */
  hash: string;
  /** EvaluationTask.hash: the task it was trained and scored under. */
  task: string;
  seed: number;
  name: string;
  metrics: TrialMetrics;
  wallSeconds: number;
  finishedAt: string;
}

export const recordKey = (r: Pick<EvalRecord, 'hash' | 'task' | 'seed'>) => `${r.task}:${r.hash}:${r.seed}`;

function isRecord(v: unknown): v is EvalRecord {
  const r = v as EvalRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.hash === 'string' &&
    typeof r.task === 'string' &&
    Number.isInteger(r.seed) &&
    typeof r.metrics === 'object' &&
    r.metrics !== null &&
    typeof r.metrics.AP === 'number'
  );
}

/** Every record of the journal (none when it does not exist). A bad line other than the last is an error. */
export function readJournal(file: string): EvalRecord[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: EvalRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      v = undefined;
    }
    if (isRecord(v)) {
      out.push(v);
      return;
    }
    const last = lines.slice(i + 1).every((l) => l.trim() === '');
    if (last) return; // torn by a crash while appending: that training is simply redone
    throw new EvaluateError(
      'BAD_EVALUATION_JOURNAL',
      `${file}: line ${i + 1} is not an evaluation record (edit or remove the line, or use another --out)`,
      { file, line: i + 1 },
    );
  });
  return out;
}

/** Append one record and flush it to disk before returning. A torn last line (a crash mid-append) is cut off first. */
export function appendRecord(file: string, record: EvalRecord): void {
  ensureDir(dirname(file));
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n'))
      truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
  }
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
