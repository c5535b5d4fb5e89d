// One pattern for every pluggable part (search spaces, controllers, queues, trainers, datasets): a name maps
// to { description, optionsSchema, create(options, ctx) }. The registry validates the options with the
// entry's zod schema before `create` sees them, so every part reports bad input the same way (an
// OptionsError naming each path), and an unknown name lists the known ones. A third-party part plugs in
// with `register` and is then usable everywhere the built-ins are (campaign files included).
import type { z } from 'zod';

import { OptionsError, parseOptions } from './options.js';

export interface RegistryEntry<T, Ctx = void, S extends z.ZodType = z.ZodType> {
  /** One line: what this entry is (listings, docs). */
  readonly description: string;
  /** Its options (undefined input means "all defaults"); use z.strictObject so unknown keys are named. */
  readonly optionsSchema: S;
  /** Builds the part from options the schema accepted; `ctx` carries what is not an option (a space, a connection). */
  create(options: z.output<S>, ctx: Ctx): T;
}

export interface RegistryConfig {
  /** What the registry holds, as its option errors say it: "search space", "controller". */
  readonly what: string;
  /** The word for one entry in "unknown <noun> "x"" (default: `what`). */
  readonly noun?: string;
  /** The issue path an unknown name is reported at: "space", "kind" (default "name"). */
  readonly nameKey?: string;
  /** The `where` of entry `name`'s option errors (default: `${name} ${what}`). */
  readonly optionsWhere?: (name: string) => string;
  /**
   * Turns the registry's errors (an UnknownNameError, or an OptionsError from the schema) into the error
   * this part's callers expect (default: thrown as they are).
   */
  readonly mapError?: (err: OptionsError) => Error;
}

/** A name no entry is registered under; `known` lists the registered ones. */
export class UnknownNameError extends OptionsError {
  constructor(
    where: string,
    nameKey: string,
    noun: string,
    readonly unknownName: string,
    readonly known: readonly string[],
  ) {
    super(
      where,
      [{ path: nameKey, message: `unknown ${noun} "${unknownName}" (known: ${known.join(', ')})` }],
      'UNKNOWN_NAME',
    );
    this.name = 'UnknownNameError';
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class Registry<T, Ctx = void> {
  private readonly entries = new Map<string, RegistryEntry<T, Ctx>>();

  constructor(private readonly config: RegistryConfig) {}

  /** Adds `name`. Names are unique: registering a taken name (a built-in included) throws. */
  register<S extends z.ZodType>(name: string, entry: RegistryEntry<T, Ctx, S>): this {
    const what = this.config.what;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new TypeError(
        `${what} name ${JSON.stringify(name)}: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    if (this.entries.has(name)) throw new Error(`${what} "${name}" is already registered`);
    if (
      typeof entry?.create !== 'function' ||
      typeof entry.optionsSchema?.safeParse !== 'function' ||
      typeof entry.description !== 'string'
    ) {
      throw new TypeError(
        `${what} "${name}": an entry needs description (a string), optionsSchema (a zod schema) and create (a function)`,
      );
    }
    this.entries.set(name, entry as unknown as RegistryEntry<T, Ctx>);
    return this;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Registered names, built-ins first, in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Each name with its description. */
  list(): Array<{ name: string; description: string }> {
    return [...this.entries].map(([name, e]) => ({ name, description: e.description }));
  }

  /** The entry `name`; throws UnknownNameError (or its mapped error) listing the known names. */
  get(name: string): RegistryEntry<T, Ctx> {
    const entry = typeof name === 'string' ? this.entries.get(name) : undefined;
    if (entry) return entry;
    const c = this.config;
    throw this.mapped(new UnknownNameError(c.what, c.nameKey ?? 'name', c.noun ?? c.what, String(name), this.names()));
  }

  /** Validates `options` for `name` (defaults filled) without creating anything. */
  parse(name: string, options: unknown): unknown {
    const entry = this.get(name);
    try {
      return parseOptions(
        entry.optionsSchema,
        options,
        this.config.optionsWhere?.(name) ?? `${name} ${this.config.what}`,
      );
    } catch (err) {
      throw err instanceof OptionsError ? this.mapped(err) : err;
    }
  }

  /** The part `name` built from `options`, which are validated first. */
  create(name: string, options: unknown, ctx: Ctx): T {
    const parsed = this.parse(name, options);
    return this.get(name).create(parsed, ctx);
  }

  private mapped(err: OptionsError): Error {
    return this.config.mapError ? this.config.mapError(err) : err;
  }
}
