// Follows a growing journal.jsonl (the campaign appends; we only read). New bytes are read from the last
// offset whenever fs.watch fires or, as a fallback for file systems where inotify is silent (NFS, some
// containers), on a periodic stat. A last line without its newline is an append in progress: it is kept
// back until the newline arrives, which is the journal reader's own rule for a torn line. If the file
// shrinks below what was parsed, or is replaced (another inode), it was rewritten: we start over.
// Memory stays bounded whatever the file holds: a line longer than maxLineBytes (a corrupt or hostile
// journal, say gigabytes without a newline) is reported and skipped as it streams past, never buffered.
import { closeSync, existsSync, fstatSync, type FSWatcher, openSync, readSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

import type { JournalEvent } from '../campaign/journal.js';
import { formatBytes, INPUT_LIMITS } from '../util/read-bounded.js';

export interface TailBatch {
  /** true: the file was rewritten; drop what was known and take `events` as the whole journal so far. */
  reset: boolean;
  events: JournalEvent[];
}

export interface TailProblem {
  file: string;
  line: number;
  message: string;
}

export interface JournalTailOptions {
  /** Stat fallback period (default 1000 ms). */
  pollMs?: number;
  /** Longest line kept for parsing (default INPUT_LIMITS.journalLine); a longer one is skipped and reported. */
  maxLineBytes?: number;
  onBatch(batch: TailBatch): void;
  onProblem?(problem: TailProblem): void;
}

const CHUNK = 1 << 20;
const SNAPSHOT_PREFIX = Buffer.from('{"type":"controller-snapshot"');

export class JournalTail {
  /** Bytes consumed: up to and including the last newline, or to the end of the line being skipped. */
  private offset = 0;
  private lineNo = 0;
  /** In a line too long to keep: its bytes are dropped until its newline. */
  private skipping = false;
  private ino = -1;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly opts: JournalTailOptions,
  ) {}

  /** Reads what is there now (synchronously, so the first snapshot is complete), then follows. */
  start(): void {
    this.readNew();
    this.watchFolder();
    this.timer = setInterval(() => {
      if (!this.watcher && !this.watchFailed) this.watchFolder(); // the folder may appear later
      this.schedule();
    }, this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  private watchFailed = false;

  /** Watches the folder, not the file: that sees the file appear and being replaced by a rename. */
  private watchFolder(): void {
    const dir = dirname(this.path);
    if (!existsSync(dir)) return;
    try {
      this.watcher = watch(dir, { persistent: false }, (_ev, name) => {
        if (name === null || name === basename(this.path)) this.schedule();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined; // the poll keeps working
        this.watchFailed = true;
      });
    } catch {
      this.watchFailed = true; // fs.watch unsupported here: polling alone
    }
  }

  private schedule(): void {
    if (this.closed || this.debounce) return;
    // Coalesce bursts of change events (one per append) into one read.
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.readNew();
    }, 25);
    this.debounce.unref();
  }

  /** Reads and parses every complete line appended since the last call. Safe to call at any time. */
  readNew(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.again = false;
        this.readOnce();
      } while (this.again && !this.closed);
    } finally {
      this.reading = false;
    }
  }

  private readOnce(): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return; // not there (yet): the campaign has not started writing
    }
    try {
      const st = fstatSync(fd);
      let reset = false;
      if ((this.ino !== -1 && st.ino !== this.ino) || st.size < this.offset) {
        this.offset = 0;
        this.lineNo = 0;
        this.skipping = false;
        reset = true;
      }
      this.ino = st.ino;
      if (st.size === this.offset && !reset) return;
      const max = this.opts.maxLineBytes ?? INPUT_LIMITS.journalLine;
      const events: JournalEvent[] = [];
      // The start of a line whose newline has not come yet, as the chunks it was read in (joined once,
      // when the newline arrives: appending chunk by chunk would copy a long line over and over).
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let pos = this.offset;
      while (pos < st.size) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, st.size - pos));
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) break;
        pos += n;
        const data = buf.subarray(0, n);
        let start = 0;
        for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
          this.lineNo++;
          if (this.skipping)
            this.skipping = false; // the end of the long line: nothing to parse
          else
            this.parseLine(
              pending.length ? Buffer.concat([...pending, data.subarray(start, nl)]) : data.subarray(start, nl),
              events,
            );
          pending = [];
          pendingBytes = 0;
          start = nl + 1;
        }
        if (!this.skipping && start < n) {
          pending.push(data.subarray(start));
          pendingBytes += n - start;
          if (pendingBytes > max) this.skipLongLine(pending, max);
        }
        if (this.skipping) {
          pending = [];
          pendingBytes = 0;
        }
        // Everything read is consumed except `pending` (no newline yet), which is read again next time.
        this.offset = pos - pendingBytes;
      }
      if (events.length || reset) this.opts.onBatch({ reset, events });
    } finally {
      closeSync(fd);
    }
  }

  /** Starts skipping the line whose first bytes are `head`: a snapshot silently (never shown), anything else reported. */
  private skipLongLine(head: Buffer[], max: number): void {
    this.skipping = true;
    const first = Buffer.concat(
      head,
      Math.min(
        SNAPSHOT_PREFIX.length,
        head.reduce((k, b) => k + b.length, 0),
      ),
    );
    if (first.equals(SNAPSHOT_PREFIX)) return;
    this.opts.onProblem?.({
      file: this.path,
      line: this.lineNo + 1,
      message: `line longer than ${formatBytes(max)}; skipped`,
    });
  }

  private parseLine(bytes: Buffer, into: JournalEvent[]): void {
    // Controller snapshots can be a megabyte each (an RL policy's weights) and the page never shows
    // them: recognise them by their first bytes (the campaign writes `type` first) and skip the parse.
    if (bytes.subarray(0, SNAPSHOT_PREFIX.length).equals(SNAPSHOT_PREFIX)) return;
    const line = bytes.toString('utf8');
    if (line.trim() === '') return;
    try {
      const ev = JSON.parse(line) as JournalEvent;
      if (typeof ev !== 'object' || ev === null || typeof ev.type !== 'string')
        throw new Error('not an event object with a "type"');
      into.push(ev);
    } catch (err) {
      // A complete line that is not an event: corruption. Report it and keep following the rest.
      this.opts.onProblem?.({
        file: this.path,
        line: this.lineNo,
        message: `not a journal event (${(err as Error).message})`,
      });
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
  }
}
