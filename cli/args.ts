// Flag parsing shared by every subcommand: node:util parseArgs, with errors that name the
// flag and what it accepts (the CLI prints them on one line and exits 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../lib/errors.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Every command accepts --help. */
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parse `argv` against `options` (a `help` boolean flag is always accepted). The values are
 * typed from the spec (node:util parseArgs's own typing): a string flag is `string | undefined`,
 * a multiple one `string[] | undefined`, a boolean `boolean | undefined` — no casts at the call site.
 */
export function parseFlags<const O extends FlagSpec>(argv: string[], options: O, allowPositionals = false) {
  const all = { ...HELP, ...options };
  try {
    return parseArgs({ args: argv, options: all, allowPositionals, strict: true });
  } catch (err) {
    const known = Object.keys(all)
      .map((k) => `--${k}`)
      .join(', ');
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`${msg} (known flags: ${known})`);
  }
}

/** Check a flag value against a fixed list; the error names the flag and the allowed values. */
export function oneOf<T extends string>(flag: string, value: unknown, allowedValues: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'string' && (allowedValues as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(
    `invalid --${flag}=${value === undefined ? '(missing)' : String(value)}: allowed values are ${allowedValues.join(', ')}`,
  );
}

/** An integer flag within bounds. */
export function intFlag(flag: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`invalid --${flag}=${String(value)}: expected an integer from ${min} to ${max}`);
  }
  return n;
}
