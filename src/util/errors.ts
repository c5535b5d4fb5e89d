// The base of every error the product throws on purpose. Each carries a stable `code` in SCREAMING_SNAKE
// for programs (tests, `--json` output, a failed trial's `error` text), a message for people, and, when
// known, where the problem is. `usage` marks input the user can fix (a file, a flag, a folder): the CLI
// exits 2 for those and 1 for every other failure, so no command lists error classes.

/** Where a problem is. Any subset: a file, a JSON path inside it, a line, or a command-line option. */
export interface ErrorWhere {
  file?: string;
  /** JSON path inside `file`, as util/zod-issues.ts writes it: `$.proxy.channels`, `annotations[3].bbox`. */
  path?: string;
  /** 1-based line inside `file`. */
  line?: number;
  /**
   * The command-line option the bad value came from, without dashes (`port`). The message names it
   * `--port`; a command that calls it something else says so with {@link optionMessage}.
   */
  option?: string;
}

export interface PyramidNasErrorOptions {
  where?: ErrorWhere;
  /** Bad input the user can fix: exit code 2 rather than 1. */
  usage?: boolean;
  cause?: unknown;
}

/** Codes are SCREAMING_SNAKE: `BAD_JSON`, `NAN_LOSS`. */
export const ERROR_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

export class PyramidNasError extends Error {
  readonly code: string;
  readonly where: Readonly<ErrorWhere>;
  readonly usage: boolean;

  constructor(code: string, message: string, options: PyramidNasErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.where = options.where ?? {};
    this.usage = options.usage ?? false;
  }
}

/** True for an error the user can fix by changing their input (exit code 2). */
export function isUsageError(err: unknown): err is PyramidNasError {
  return err instanceof PyramidNasError && err.usage;
}

/** The exit code a command ends with after `err`: 2 for usage errors, 1 for failures. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return isUsageError(err) ? 2 : 1;
}

/**
 * An option error's message with the option named as this command calls it: `names` maps the option
 * an error names (`port`) to this command's (`dashboard-port`). Other errors keep their message.
 */
export function optionMessage(err: unknown, names: Readonly<Record<string, string>>): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof OptionValueError)) return message;
  const option = err.where.option!;
  return `--${names[option] ?? option}: ${err.reason}`;
}

/**
 * A bad command-line option value: the message is `--<option>: <reason>`, and `reason` alone lets a
 * command that names the option differently say it its own way.
 */
export class OptionValueError extends PyramidNasError {
  constructor(
    code: string,
    option: string,
    readonly reason: string,
    options: Omit<PyramidNasErrorOptions, 'where'> = {},
  ) {
    super(code, `--${option}: ${reason}`, { usage: true, ...options, where: { option } });
  }
}
