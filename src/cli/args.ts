/** Argument parsing shared by the subcommands: usage errors with "did you mean" and number checks. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { nearestName } from '../model/issues.js';

/** A mistake on the command line: printed as one line and exit 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;
/** What each value-taking option expects, for the messages ("a file path", a number rule's `expected`). */
export type Expects<T extends Options> = Partial<Record<keyof T & string, string>>;

/** A negative number (`-3`, `-.5`, `-1e3`, `-Infinity`): the value of the option before it, never an option itself. */
const NEGATIVE_NUMBER = /^-(?:\d|\.\d|Infinity$)/;

/**
 * `parseArgs` in strict mode, its errors turned into UsageErrors that name the flag, what it
 * expects and what it received. Before parsing, a string option followed by a negative number
 * takes it as its value (`--seed -3` reads as `--seed=-3`; parseArgs alone calls it ambiguous).
 */
export function parseCommandArgs<T extends Options>(args: readonly string[], options: T, expects: Expects<T> = {}): Parsed<T> {
  const prepared = prepareArgs(args, options, expects as Record<string, string | undefined>);
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs({ args: prepared, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}${suggest(unknown[1]!.replace(/^-+/, ''), Object.keys(options), '--')}`);
    throw new UsageError(message.split('\n')[0] ?? message);
  }
  // Every subcommand's positionals are files; "" (an unset shell variable, say) reads as no file at all.
  const empty = parsed.positionals.indexOf('');
  if (empty >= 0) throw new UsageError(`file argument ${empty + 1}: expected a file path, received ""`);
  return parsed;
}

/**
 * Checks what parseArgs would report in its own words (a value missing, empty or looking like
 * an option; a value given to a switch) and joins `--flag -3` into `--flag=-3`. Tokens after
 * `--` are positionals and left alone.
 */
function prepareArgs(args: readonly string[], options: Options, expects: Record<string, string | undefined>): string[] {
  const longOf = new Map<string, string>();
  for (const [name, option] of Object.entries(options)) if (option.short !== undefined) longOf.set(option.short, name);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === '--') {
      out.push(...args.slice(i));
      break;
    }
    const match = /^--([^=]+)(?:=([\s\S]*))?$/.exec(token) ?? /^-([^-])$/.exec(token);
    const name = match === null ? undefined : token.startsWith('--') ? match[1]! : longOf.get(match[1]!);
    const option = name === undefined ? undefined : options[name];
    if (name === undefined || option === undefined) {
      out.push(token); // a positional, or an unknown option parseArgs reports with a suggestion
      continue;
    }
    const flag = `--${name}`;
    const inline = match![2];
    if (option.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`${flag} is a switch and takes no value, received "${inline}"`);
      out.push(token);
      continue;
    }
    const expected = expects[name] ?? 'a value';
    if (inline !== undefined) {
      if (inline === '') throw new UsageError(`${flag}: expected ${expected}, received ""`);
      out.push(token);
      continue;
    }
    const value = args[i + 1];
    if (value === undefined) throw new UsageError(`${flag}: expected ${expected}, received nothing (it is the last argument)`);
    if (value === '') throw new UsageError(`${flag}: expected ${expected}, received ""`);
    if (value.length > 1 && value.startsWith('-') && !NEGATIVE_NUMBER.test(value)) {
      throw new UsageError(`${flag}: expected ${expected}, received the option ${value} (if that is the value, write ${flag}=${value})`);
    }
    out.push(`${flag}=${value}`);
    i++;
  }
  return out;
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}, received "${value}"${suggest(value, allowed)}`);
}

/** Bounds of a numeric flag and how the message says them. */
export interface NumberRule {
  readonly whole: boolean;
  readonly min: number;
  /** Excluded when `maxExclusive`. */
  readonly max: number;
  readonly maxExclusive?: boolean;
  /** Said after "expected": the unit and the bounds in words. */
  readonly expected: string;
}

/** Plain decimal notation only: no hex, no surrounding blanks, no "Infinity" (Number() takes all three). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a decimal number; undefined when the text is not one. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

export function numberFlag(flag: string, value: string | undefined, rule: NumberRule): number | undefined {
  if (value === undefined) return undefined;
  const number = parseDecimal(value);
  const inRange = number !== undefined && number >= rule.min && (rule.maxExclusive === true ? number < rule.max : number <= rule.max);
  if (!inRange || (rule.whole && !Number.isInteger(number))) throw new UsageError(`${flag}: expected ${rule.expected}, received "${value}"`);
  return number;
}

/** Sub-tasks listed per pool in text output; above 1e9 is a typo (--format json lists them all). */
export const LIMIT_RULE: NumberRule = { whole: true, min: 1, max: 1e9, expected: 'a whole number of sub-tasks per pool from 1 to 1000000000' };
/** Up to a day of searching: 1e12 ms (31 years) is a typo, not a budget. */
export const BUDGET_MS_RULE: NumberRule = { whole: true, min: 0, max: 86_400_000, expected: 'a whole number of milliseconds from 0 to 86400000 (24 h)' };
/** Worker threads on one machine: more than 256 is a typo. */
export const WORKERS_RULE: NumberRule = { whole: true, min: 1, max: 256, expected: 'a whole number of worker threads from 1 to 256' };
/**
 * The search and the risk simulation draw from a 32-bit generator (mulberry32, `seed >>> 0`):
 * a negative seed or one of 2^32 and up would silently equal another seed, so it is refused.
 */
export const SEED_RULE: NumberRule = { whole: true, min: 0, max: 4_294_967_295, expected: 'a whole number from 0 to 4294967295 (the generator is 32-bit)' };
/** Waiting for another writer of the history store: up to a day. */
export const LOCK_TIMEOUT_RULE: NumberRule = { whole: false, min: 0, max: 86_400, expected: 'a number of seconds from 0 to 86400' };
export const USD_PER_HOUR_RULE: NumberRule = { whole: false, min: 0, max: 1e12, maxExclusive: true, expected: 'a number of USD per hour of makespan from 0 to below 1e12' };

export function suggest(word: string, candidates: readonly string[], prefix = ''): string {
  const near = nearestName(word, candidates);
  return near === undefined ? '' : ` (did you mean ${prefix}${near}?)`;
}
