// One error base for the whole product: every error thrown on purpose is a PyramidNasError with a
// SCREAMING_SNAKE code and its own class name, and its `usage` mark alone decides the CLI's exit code 2.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { ControllerError } from '../../controllers/book.js';
import { SpaceDecisionError } from '../../search-spaces/space.js';
import { CampaignConfigError } from '../../src/campaign/config.js';
import { CampaignError } from '../../src/campaign/errors.js';
import { JournalError } from '../../src/campaign/journal.js';
import { CampaignLockedError } from '../../src/campaign/lock.js';
import { OutputFolderError } from '../../src/campaign/output-folder.js';
import { CleanError } from '../../src/campaign/queue/clean.js';
import { OutputWriteError } from '../../src/campaign/write-all.js';
import { DashboardOptionsError } from '../../src/dashboard/auth.js';
import { TrialGraphError } from '../../src/dashboard/trial-graph.js';
import { DatasetError } from '../../src/data/errors.js';
import { EvalInputError } from '../../src/eval/errors.js';
import { TrainError } from '../../src/train/errors.js';
import { ProxyTaskError } from '../../src/trial/proxy-task.js';
import { ERROR_CODE, exitCodeOf, isUsageError, optionMessage, PyramidNasError } from '../../src/util/errors.js';
import { OptionsError } from '../../src/util/options.js';
import { BoundedReadError } from '../../src/util/read-bounded.js';
import { RedisAuthError, RedisUrlError } from '../../src/util/redis-connection.js';
import { UnknownNameError } from '../../src/util/registry.js';
import { LimitsError, parseLimits } from '../../workers/job-limits.js';
import { TrialCancelledError } from '../../workers/process-pool.js';
import { InvalidTrialError } from '../../workers/trial-processor.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Each product error class, one instance, and what it must say about itself. */
const CASES: Array<{ err: PyramidNasError; name: string; code: string; usage: boolean }> = [
  {
    err: new OutputFolderError('out', 'out: not empty'),
    name: 'OutputFolderError',
    code: 'OUTPUT_FOLDER',
    usage: true,
  },
  {
    err: new OutputWriteError('f', 'ENOSPC', new Error('x')),
    name: 'OutputWriteError',
    code: 'WRITE_FAILED',
    usage: false,
  },
  { err: new CleanError('no queue', 'NO_QUEUE'), name: 'CleanError', code: 'NO_QUEUE', usage: true },
  {
    err: new CampaignConfigError('c.json', [{ path: '$.seed', message: 'bad' }]),
    name: 'CampaignConfigError',
    code: 'BAD_CAMPAIGN',
    usage: true,
  },
  {
    err: new CampaignLockedError('dir', undefined, 'in use'),
    name: 'CampaignLockedError',
    code: 'CAMPAIGN_LOCKED',
    usage: true,
  },
  { err: new JournalError('j.jsonl', 3, 'bad line'), name: 'JournalError', code: 'BAD_JOURNAL', usage: true },
  { err: new CampaignError('EXISTS', 'exists'), name: 'CampaignError', code: 'EXISTS', usage: true },
  {
    err: new CampaignError('RESUME_MISMATCH', 'mismatch'),
    name: 'CampaignError',
    code: 'RESUME_MISMATCH',
    usage: false,
  },
  { err: new BoundedReadError('TOO_LARGE', 'f', 'too big'), name: 'BoundedReadError', code: 'TOO_LARGE', usage: true },
  {
    err: new OptionsError('nas-fpn search space', [{ path: 'cells', message: 'bad' }]),
    name: 'OptionsError',
    code: 'BAD_OPTIONS',
    usage: true,
  },
  {
    err: new UnknownNameError('search space', 'space', 'search space', 'x', ['nas-fpn']),
    name: 'UnknownNameError',
    code: 'UNKNOWN_NAME',
    usage: true,
  },
  {
    err: new ProxyTaskError('bad', [{ path: '$.steps', message: 'bad' }]),
    name: 'ProxyTaskError',
    code: 'BAD_PROXY_TASK',
    usage: true,
  },
  { err: new TrainError('BAD_GRAPH', 'bad graph'), name: 'TrainError', code: 'BAD_GRAPH', usage: true },
  { err: new TrainError('NAN_LOSS', 'nan', 7), name: 'TrainError', code: 'NAN_LOSS', usage: false },
  {
    err: new DatasetError('MISSING_FILE', 'gone', { file: 'f' }),
    name: 'DatasetError',
    code: 'MISSING_FILE',
    usage: true,
  },
  { err: new EvalInputError('SCHEMA', 'bad', { path: 'images' }), name: 'EvalInputError', code: 'SCHEMA', usage: true },
  {
    err: new DashboardOptionsError('port', '8080 is in use'),
    name: 'DashboardOptionsError',
    code: 'BAD_DASHBOARD_OPTION',
    usage: true,
  },
  { err: new TrialGraphError('no graph'), name: 'TrialGraphError', code: 'NO_TRIAL_GRAPH', usage: false },
  { err: new ControllerError('ALREADY_TOLD', 'told'), name: 'ControllerError', code: 'ALREADY_TOLD', usage: false },
  {
    err: new SpaceDecisionError('nas-fpn', 2, 'out of range'),
    name: 'SpaceDecisionError',
    code: 'BAD_DECISIONS',
    usage: false,
  },
  { err: new RedisUrlError('redis://h:1', 'bad'), name: 'RedisUrlError', code: 'BAD_REDIS_URL', usage: true },
  {
    err: new RedisAuthError('redis://h:1', 'NOAUTH Authentication required.'),
    name: 'RedisAuthError',
    code: 'REDIS_AUTH',
    usage: true,
  },
  { err: new TrialCancelledError('c-1'), name: 'TrialCancelledError', code: 'CANCELLED', usage: false },
  { err: new LimitsError('limits', 'bad'), name: 'LimitsError', code: 'BAD_LIMITS', usage: true },
  // BullMQ recognises an unrecoverable error by this name (and only own properties cross a sandbox).
  {
    err: new InvalidTrialError('invalid trial job: $: bad'),
    name: 'UnrecoverableError',
    code: 'INVALID_TRIAL',
    usage: false,
  },
];

describe('PyramidNasError', () => {
  test('every product error extends it, keeps its name and has a SCREAMING_SNAKE code', () => {
    for (const c of CASES) {
      assert.ok(c.err instanceof PyramidNasError, c.name);
      assert.ok(c.err instanceof Error, c.name);
      assert.equal(c.err.name, c.name);
      assert.equal(c.err.code, c.code, c.name);
      assert.match(c.err.code, ERROR_CODE, c.name);
    }
  });

  test('the usage mark alone decides exit code 2; anything else (not ours included) is 1', () => {
    for (const c of CASES) {
      assert.equal(isUsageError(c.err), c.usage, c.name);
      assert.equal(exitCodeOf(c.err), c.usage ? 2 : 1, c.name);
    }
    assert.equal(exitCodeOf(new Error('bug')), 1);
    assert.equal(exitCodeOf(Object.assign(new Error('x'), { code: 'EXISTS', usage: true })), 1);
  });

  test('where: the file, JSON path, line or option the problem is in', () => {
    assert.deepEqual(new JournalError('j.jsonl', 3, 'x').where, { file: 'j.jsonl', line: 3 });
    assert.deepEqual(new JournalError('j.jsonl', 0, 'x').where, { file: 'j.jsonl' });
    assert.deepEqual(new CampaignConfigError('c.json', [{ path: '$.seed', message: 'x' }]).where, {
      file: 'c.json',
      path: '$.seed',
    });
    assert.deepEqual(new DatasetError('BAD_JSON', 'x', { file: 'i.json', path: '$.images' }).where, {
      file: 'i.json',
      path: '$.images',
    });
    assert.deepEqual(new RedisUrlError('redis://h', 'x').where, { option: 'redis' });
  });

  test('an option error names the option as data: each command renders it under its own name', () => {
    const err = new DashboardOptionsError('port', '8080 is in use on 127.0.0.1');
    assert.equal(err.message, '--port: 8080 is in use on 127.0.0.1');
    assert.equal(optionMessage(err, { port: 'dashboard-port' }), '--dashboard-port: 8080 is in use on 127.0.0.1');
    assert.equal(
      optionMessage(new DashboardOptionsError('token', 'too short'), { port: 'dashboard-port' }),
      '--token: too short',
    );
    assert.equal(optionMessage(new Error('other'), { port: 'dashboard-port' }), 'other');
    // commander prefixes its own option name: it gets the reason alone.
    assert.throws(
      () => parseLimits('[1]'),
      (e: unknown) => e instanceof LimitsError && e.message === `--limits: ${e.reason}` && !e.reason.startsWith('--'),
    );
  });

  test('no product module defines an error class outside the base', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (name !== 'testing' && name !== 'node_modules') walk(path);
        } else if (name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          for (const m of text.matchAll(/class (\w+) extends (Error|UnrecoverableError)\b/g)) {
            if (m[1] !== 'PyramidNasError') offenders.push(`${path.slice(ROOT.length + 1)}: ${m[1]}`);
          }
        }
      }
    };
    for (const top of ['src', 'controllers', 'search-spaces', 'workers']) walk(join(ROOT, top));
    assert.deepEqual(offenders, []);
  });
});
